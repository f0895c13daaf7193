package io.rapport.alert;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class AlertRepository implements PanacheRepositoryBase<Alert, Alert.Key> {}
