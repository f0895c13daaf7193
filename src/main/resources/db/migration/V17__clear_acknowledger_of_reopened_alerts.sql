-- An alert that was acknowledged, resolved and then reopened kept the subject of that
-- acknowledgement: the evaluation cleared acknowledged_at and the note on reopening, but not
-- acknowledged_by, so an OPEN alert named someone who had not acknowledged it. The evaluation
-- now clears all three; this clears what reopenings before it left behind. An alert with no
-- acknowledgement time has no acknowledger, whatever its status: the acknowledgement sets both.
UPDATE alert SET acknowledged_by = NULL
WHERE acknowledged_at IS NULL AND acknowledged_by IS NOT NULL;
