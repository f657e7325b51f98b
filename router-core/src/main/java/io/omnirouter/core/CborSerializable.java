package io.omnirouter.core;

/**
 * Marker for everything that crosses an actor boundary or goes into the journal: bound to Jackson
 * CBOR in {@code reference.conf}. Java serialization is switched off.
 */
public interface CborSerializable {}
