package io.rapport.visit;

public enum Modality {
    VIDEO,
    PHONE,
    IN_PERSON,
    MESSAGING
}
