package io.rapport.trend;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** How one value is written into a CSV cell: the expected texts are what a spreadsheet should read. */
class CsvCellTest {

    @Test
    void decimalsAreWrittenOutAndFormulaLikeTextIsKeptText() {
        // Java prints these as 2.0E-4 and 1.0E8, which some spreadsheets read as text.
        assertThat(Csv.text(0.0002)).isEqualTo("0.0002");
        assertThat(Csv.text(1.0e8)).isEqualTo("100000000");
        assertThat(Csv.text(-0.0003)).isEqualTo("-0.0003");
        assertThat(Csv.text(31.71)).isEqualTo("31.71");
        assertThat(Csv.text(36.0)).isEqualTo("36.0");
        assertThat(Csv.text(-12.5)).isEqualTo("-12.5");
        assertThat(Csv.text(14L)).isEqualTo("14");
        assertThat(Csv.text(null)).isEmpty();
        assertThat(Csv.text(LocalDate.of(2026, 3, 1))).isEqualTo("2026-03-01");
        for (String formula : new String[] {"-A1", "=1+2", "+1", "@SUM(A1)"}) {
            assertThat(Csv.text(formula)).isEqualTo("'" + formula);
        }
        assertThat(Csv.text("dr-a")).isEqualTo("dr-a");
        assertThat(Csv.text("")).isEmpty();
    }
}
