using FluentValidation;
using Severity = ReconcileApi.Engine.Severity;
using System.Text.Json.Serialization;

namespace ReconcileApi.Features.Alerts;

[JsonConverter(typeof(SnakeCaseEnumConverter<AlertRuleKind>))]
public enum AlertRuleKind { MatchRateBelow, ImpactAbove, NewDiscrepanciesAbove, SideSilent, RunFailed }

/// <summary>
/// A condition watched after every run (and, for <c>side_silent</c>, after every ingest):
/// <c>match_rate_below</c> (threshold 0–1), <c>impact_above</c> (money), <c>new_discrepancies_above</c> (count of findings
/// a run found for the first time, optionally of one category or severity), <c>side_silent</c> (<c>hours</c> without an order
/// on one side while the other had some), <c>run_failed</c>.
/// </summary>
public sealed record AlertRule(AlertRuleKind Rule, decimal? Threshold = null, int? Hours = null, Category? Category = null, Severity? Severity = null)
{
    /// <summary>What identifies the condition an alert is open for: the same rule with another threshold is the same condition.</summary>
    public string ConditionKey(Guid? scheduleId) =>
        $"{(scheduleId is { } id ? $"schedule:{id:N}" : "workspace")}:{WireEnum.Name(Rule)}"
        + (Category is { } c ? $":{WireEnum.Name(c)}" : "") + (Severity is { } s ? $":{WireEnum.Name(s)}" : "");
}

public sealed class AlertRuleValidator : AbstractValidator<AlertRule>
{
    public AlertRuleValidator()
    {
        RuleFor(r => r.Rule).IsInEnum().WithMessage($"Must be one of: {WireEnum.Names<AlertRuleKind>()}.");
        RuleFor(r => r.Threshold).Must(t => t is >= 0 and <= 1)
            .When(r => r.Rule == AlertRuleKind.MatchRateBelow).WithMessage("match_rate_below needs a threshold between 0 and 1 (0.95 = 95 %).");
        RuleFor(r => r.Threshold).Must(t => t is >= 0 and <= 1_000_000_000_000m)
            .When(r => r.Rule == AlertRuleKind.ImpactAbove).WithMessage("impact_above needs a threshold: an amount of money between 0 and 1,000,000,000,000.");
        RuleFor(r => r.Threshold).Must(t => t is >= 0 and <= 10_000_000 && decimal.Truncate(t.Value) == t)
            .When(r => r.Rule == AlertRuleKind.NewDiscrepanciesAbove).WithMessage("new_discrepancies_above needs a threshold: a whole number of findings between 0 and 10,000,000.");
        RuleFor(r => r.Threshold).Null()
            .When(r => r.Rule is AlertRuleKind.SideSilent or AlertRuleKind.RunFailed).WithMessage("Only match_rate_below, impact_above and new_discrepancies_above take a threshold.");
        RuleFor(r => r.Hours).Must(h => h is >= 1 and <= 24 * 366)
            .When(r => r.Rule == AlertRuleKind.SideSilent).WithMessage("side_silent needs hours between 1 and 8784.");
        RuleFor(r => r.Hours).Null()
            .When(r => r.Rule != AlertRuleKind.SideSilent).WithMessage("Only side_silent takes hours.");
        RuleFor(r => r.Category).Null()
            .When(r => r.Rule != AlertRuleKind.NewDiscrepanciesAbove).WithMessage("Only new_discrepancies_above takes a category.");
        RuleFor(r => r.Severity).Null()
            .When(r => r.Rule != AlertRuleKind.NewDiscrepanciesAbove).WithMessage("Only new_discrepancies_above takes a severity.");
    }
}

/// <summary>A list of rules: each valid, at most <see cref="MaxRules"/>, no condition twice (errors named <c>alerts[0].threshold</c>).</summary>
public static class AlertRuleList
{
    public const int MaxRules = 20;

    public static IRuleBuilderOptions<T, IEnumerable<AlertRule>> ValidAlertRules<T>(this IRuleBuilder<T, IEnumerable<AlertRule>> rule) => rule
        .Must(rules => rules is null || rules.Count() <= MaxRules).WithMessage($"At most {MaxRules} rules.")
        .Must(rules => rules is null || rules.Where(r => r is not null).GroupBy(r => r.ConditionKey(null)).All(g => g.Count() == 1))
        .WithMessage("A rule is listed twice (same rule, category and severity); keep one.")
        .ForEach(each => each.NotNull().WithMessage("Must be a rule (a JSON object), not null.").SetValidator(new AlertRuleValidator()));
}
