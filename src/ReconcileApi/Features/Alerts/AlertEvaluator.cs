namespace ReconcileApi.Features.Alerts;

/// <summary>
/// Checks alert rules and keeps one alert per condition: a condition that starts to hold opens an alert (returned,
/// so the caller can announce it), one that stops holding clears it, one that keeps holding changes nothing — a daily
/// schedule whose match rate stays low raises one alert, not one a day. Rules come from the workspace and, for a run
/// a schedule started, from that schedule. A rule a run cannot judge (a match rate when the run failed) leaves its alert as it is.
/// </summary>
public sealed class AlertEvaluator(ReconcileDbContext db, TimeProvider clock, ILogger<AlertEvaluator> logger)
{
    sealed record Verdict(bool Holds, decimal? Value, string Message);

    /// <summary>After a run ended (succeeded or failed): the alerts it opened.</summary>
    public async Task<List<Alert>> AfterRunAsync(Run run, CancellationToken ct)
    {
        var rules = await WorkspaceRulesAsync(run.WorkspaceId, ct);
        if (run.ScheduleId is { } runSchedule
            && await db.Schedules.AsNoTracking().SingleOrDefaultAsync(s => s.Id == runSchedule, ct) is { } schedule)
            rules.AddRange(Schedules.Schedules.Rules(schedule).Select(r => (r, (Guid?)runSchedule)));
        var opened = new List<Alert>();
        foreach (var (rule, scheduleId) in rules)
            if (await CheckAsync(rule, run, ct) is { } verdict && await ApplyAsync(run.WorkspaceId, scheduleId, run.Id, rule, verdict, ct) is { } alert)
                opened.Add(alert);
        return opened;
    }

    /// <summary>After an ingest stored orders: the <c>side_silent</c> rules of the workspace and of its enabled schedules.</summary>
    public async Task<List<Alert>> AfterIngestAsync(Guid workspaceId, CancellationToken ct)
    {
        var rules = (await WorkspaceRulesAsync(workspaceId, ct)).Where(r => r.Rule.Rule == AlertRuleKind.SideSilent).ToList();
        var silentWord = WireEnum.Name(AlertRuleKind.SideSilent);
        foreach (var schedule in await db.Schedules.AsNoTracking()
                     .Where(s => s.WorkspaceId == workspaceId && s.Enabled && s.Alerts.Contains(silentWord)).ToListAsync(ct))
            rules.AddRange(Schedules.Schedules.Rules(schedule).Where(r => r.Rule == AlertRuleKind.SideSilent).Select(r => (r, (Guid?)schedule.Id)));
        var opened = new List<Alert>();
        foreach (var (rule, scheduleId) in rules)
            if (await ApplyAsync(workspaceId, scheduleId, null, rule, await SilenceAsync(workspaceId, rule.Hours!.Value, ct), ct) is { } alert)
                opened.Add(alert);
        return opened;
    }

    async Task<List<(AlertRule Rule, Guid? ScheduleId)>> WorkspaceRulesAsync(Guid workspaceId, CancellationToken ct)
    {
        var json = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.AlertRules).SingleAsync(ct);
        return AlertRules.Parse(json).Select(r => (r, (Guid?)null)).ToList();
    }

    async Task<Verdict?> CheckAsync(AlertRule rule, Run run, CancellationToken ct)
    {
        var succeeded = run.Status == RunStatus.Succeeded;
        switch (rule.Rule)
        {
            case AlertRuleKind.RunFailed:
                return new Verdict(run.Status == RunStatus.Failed, null, $"Run {run.Id} ({run.Label ?? "no label"}) failed: {run.Error}");
            case AlertRuleKind.MatchRateBelow when succeeded && run.MatchRate is { } rate:
                return new Verdict(rate < rule.Threshold, rate,
                    $"Match rate {rate:P1} is below {rule.Threshold:P1}: {run.Matched} store orders matched in run {run.Id}.");
            case AlertRuleKind.ImpactAbove when succeeded:
                return new Verdict(run.Impact > rule.Threshold, run.Impact,
                    $"Money at stake {run.Impact:0.00} is above {rule.Threshold:0.00} ({run.Discrepancies} discrepancies in run {run.Id}).");
            case AlertRuleKind.NewDiscrepanciesAbove when succeeded:
                var found = db.Discrepancies.Where(d => d.WorkspaceId == run.WorkspaceId && d.FirstSeenRunId == run.Id);
                if (rule.Category is { } category)
                    found = found.Where(d => d.Category == category);
                if (rule.Severity is { } severity)
                    found = found.Where(d => d.Severity == severity);
                var count = await found.CountAsync(ct);
                var what = string.Join(' ', new[] { rule.Severity is { } s ? WireEnum.Name(s) : null, rule.Category is { } c ? WireEnum.Name(c) : null }.OfType<string>());
                return new Verdict(count > rule.Threshold, count,
                    $"{count} new {(what.Length > 0 ? what + " " : "")}{(count == 1 ? "discrepancy" : "discrepancies")} (more than {rule.Threshold:0}) in run {run.Id}.");
            case AlertRuleKind.SideSilent:
                return await SilenceAsync(run.WorkspaceId, rule.Hours!.Value, ct);
            default:
                return null;
        }
    }

    /// <summary>One side has no order dated in the last <paramref name="hours"/> while the other has: the sync into it has died.</summary>
    async Task<Verdict> SilenceAsync(Guid workspaceId, int hours, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // Dates past now are clock or zone errors, not a live sync (as the run's sync lag reads them).
        var store = await Orders.IdBlockIndexes.NewestOrderDateAsync(db, workspaceId, OrderSource.Store, now, ct);
        var keap = await Orders.IdBlockIndexes.NewestOrderDateAsync(db, workspaceId, OrderSource.Keap, now, ct);
        var since = now.AddHours(-hours);
        foreach (var (side, newest, other, otherNewest) in new[] { ("Keap", keap, "the store", store), ("The store", store, "Keap", keap) })
        {
            if ((newest is null || newest < since) && otherNewest >= since)
            {
                var silentHours = newest is null ? (decimal?)null : Math.Round((decimal)(now - newest.Value).TotalHours, 1);
                return new Verdict(true, silentHours, newest is null
                    ? $"{side} has no order at all while {other} received orders in the last {hours} h: is its sync connected?"
                    : $"{side} has received no order for {silentHours} h (last dated {newest:yyyy-MM-dd HH:mm} UTC) while {other} received orders in the last {hours} h: the sync has likely stopped.");
            }
        }
        return new Verdict(false, null, "Both sides receive orders.");
    }

    /// <summary>Opens or clears the condition's alert; the alert when this call opened it.</summary>
    async Task<Alert?> ApplyAsync(Guid workspaceId, Guid? scheduleId, Guid? runId, AlertRule rule, Verdict verdict, CancellationToken ct)
    {
        var key = rule.ConditionKey(scheduleId);
        var now = clock.GetUtcNow().UtcDateTime;
        if (!verdict.Holds)
        {
            await db.Alerts.Where(a => a.WorkspaceId == workspaceId && a.ConditionKey == key && a.ClearedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.ClearedAt, now), ct);
            return null;
        }
        if (await db.Alerts.AnyAsync(a => a.WorkspaceId == workspaceId && a.ConditionKey == key && a.ClearedAt == null, ct))
            return null;
        var alert = new Alert
        {
            WorkspaceId = workspaceId, ScheduleId = scheduleId, RunId = runId, Rule = WireEnum.Name(rule.Rule), ConditionKey = key,
            Message = verdict.Message.Length > 1000 ? verdict.Message[..1000] : verdict.Message,
            Value = verdict.Value, Threshold = rule.Rule == AlertRuleKind.SideSilent ? rule.Hours : rule.Threshold, TriggeredAt = now,
        };
        db.Alerts.Add(alert);
        try
        {
            await db.SaveChangesAsync(ct);
            return alert;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Another process opened it a moment ago (one open alert per condition).
            db.ChangeTracker.Clear();
            logger.LogDebug("Alert {Key} of workspace {WorkspaceId} was opened concurrently", key, workspaceId);
            return null;
        }
    }
}
