using Cronos;
using FluentValidation;
using ReconcileApi.Features.Alerts;

namespace ReconcileApi.Features.Schedules;

/// <summary>
/// A recurring run: <c>cron</c> (five fields: minute hour day-of-month month day-of-week) read in <c>timezone</c> (IANA;
/// default the workspace's), each run covering the <c>windowDays</c> before its occurrence; <c>alerts</c> are watched after
/// each of its runs (on top of the workspace's rules).
/// </summary>
public sealed record ScheduleRequest(
    string Name, string Cron, string? Timezone = null, int WindowDays = ScheduleRequest.DefaultWindowDays, bool Enabled = true,
    IReadOnlyList<AlertRule>? Alerts = null)
{
    public const int DefaultWindowDays = 7;
}

public sealed record ScheduleResponse(
    Guid Id, string Name, string Cron, string Timezone, int WindowDays, bool Enabled, IReadOnlyList<AlertRule> Alerts,
    DateTime? NextRunAt, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static ScheduleResponse Of(Schedule s, DateTime now) => new(
        s.Id, s.Name, s.Cron, s.Timezone, s.WindowDays, s.Enabled, Schedules.Rules(s), s.Enabled ? Schedules.Next(s, now) : null,
        s.CreatedAt, s.UpdatedAt);
}

public sealed class ScheduleRequestValidator : AbstractValidator<ScheduleRequest>
{
    public ScheduleRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().WithMessage("Is required.").Text(200);
        RuleFor(r => r.Cron).NotEmpty().WithMessage("Is required: a five-field cron expression such as '0 6 * * *'.").Text(100)
            .Must(c => c is null || CronExpression.TryParse(c, CronFormat.Standard, out _))
            .WithMessage("Must be a five-field cron expression (minute hour day-of-month month day-of-week), e.g. '0 6 * * *' for 06:00 every day.");
        // A valid expression can still name no date ('0 0 30 2 *', 30 February): such a schedule would never run.
        RuleFor(r => r.Cron)
            .Must(c => CronExpression.Parse(c, CronFormat.Standard).GetNextOccurrence(DateTime.UtcNow) is not null)
            .When(r => r.Cron is not null && CronExpression.TryParse(r.Cron, CronFormat.Standard, out _))
            .WithMessage("Names no date that exists (e.g. 30 February), so the schedule would never run.");
        RuleFor(r => r.Timezone).Must(t => t is null || TimeZones.TryFindName(t, out _))
            .WithMessage("Must be an IANA timezone such as 'America/New_York' (or leave it out for the workspace's).");
        RuleFor(r => r.WindowDays).InclusiveBetween(1, 366).WithMessage("Must be between 1 and 366.");
        RuleFor(r => (IEnumerable<AlertRule>)r.Alerts!).ValidAlertRules().When(r => r.Alerts is not null).OverridePropertyName("alerts");
    }
}
