package io.rapport.trend;

import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** The parameters every trend endpoint takes: which clinic, which days, which slice. */
public class TrendParams {

    @PathParam("clinicId")
    String clinicId;

    @Parameter(description = "first day, inclusive (default: 90 days before to)")
    @QueryParam("from")
    String from;

    @Parameter(description = "last day, exclusive (default: tomorrow)")
    @QueryParam("to")
    String to;

    @Parameter(description = "IANA zone name for day boundaries, e.g. Europe/Berlin (default UTC)")
    @QueryParam("tz")
    String tz;

    @Parameter(description = "VIDEO, PHONE, IN_PERSON or MESSAGING")
    @QueryParam("modality")
    String modality;

    @QueryParam("providerId")
    String providerId;

    TrendWindow window() {
        return TrendWindow.parse(clinicId, from, to, tz, modality, providerId);
    }
}
