package io.rapport.alert;

import java.util.List;

/** One page of alerts, newest first. */
public record AlertPage(int page, int size, long total, List<AlertView> items) {}
