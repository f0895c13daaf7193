package io.rapport.trend;

import io.rapport.error.Violation;
import io.rapport.visit.Modality;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** The parameters every trend endpoint takes: which clinic, which days, which slice. */
public class TrendParams {

    @PathParam("clinicId")
    String clinicId;

    @Parameter(
            description = "first day, inclusive (default: 90 days before to)",
            schema = @Schema(type = SchemaType.STRING, format = "date"))
    @QueryParam("from")
    String from;

    @Parameter(
            description = "last day, exclusive (default: tomorrow)",
            schema = @Schema(type = SchemaType.STRING, format = "date"))
    @QueryParam("to")
    String to;

    @Parameter(
            description = "IANA zone name for day boundaries, e.g. Europe/Berlin, or UTC (the default);"
                    + " offsets and names without a slash such as CET are refused")
    @QueryParam("tz")
    String tz;

    @Parameter(description = "VIDEO, PHONE, IN_PERSON or MESSAGING", schema = @Schema(implementation = Modality.class))
    @QueryParam("modality")
    String modality;

    @Parameter(
            description = "only this provider's visits; continuity of care in a summary covers every visit of the"
                    + " patients this provider saw in the window")
    @QueryParam("providerId")
    String providerId;

    /** The window, or a 400 naming its bad parameters and {@code endpoints}, the endpoint's own. */
    TrendWindow window(List<Violation> endpoints) {
        return TrendWindow.parse(clinicId, from, to, tz, modality, providerId, endpoints);
    }
}
