package io.rapport.trend;

/** An answer that says which window and filters it was computed for. */
interface Echoed {
    String clinicId();

    String from();

    String to();

    String tz();

    String modality();

    String providerId();
}
