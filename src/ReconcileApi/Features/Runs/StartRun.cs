using FluentValidation;
using Microsoft.Extensions.Options;
using ReconcileApi.Features.Settings;

namespace ReconcileApi.Features.Runs;

/// <summary><c>from</c> and <c>to</c> without an offset (or a date alone) are read in the workspace's timezone; the default window is the last 30 days.</summary>
public sealed record StartRunRequest(DateTime? From = null, DateTime? To = null, string? CallbackUrl = null, string? Label = null);

public sealed class StartRunRequestValidator : AbstractValidator<StartRunRequest>
{
    public StartRunRequestValidator(IHostResolver resolver, IOptions<ServiceOptions> options)
    {
        var allowPrivateTargets = options.Value.Webhooks.AllowPrivateTargets;
        RuleFor(r => r.From).Must(InRange).WithMessage(RangeMessage);
        RuleFor(r => r.To).Must(InRange).WithMessage(RangeMessage);
        RuleFor(r => r.To).GreaterThan(r => r.From).When(r => r.From is not null && r.To is not null).WithMessage("Must be after 'from'.");
        RuleFor(r => r.CallbackUrl).OutboundUrl(resolver, allowPrivateTargets);
        RuleFor(r => r.Label).Text(200);
    }

    /// <summary>The dates a window may name: far from the calendar's edges, where adding a margin or a zone offset would overflow.</summary>
    public static readonly DateTime Earliest = new(1970, 1, 1), Latest = new(2100, 1, 1);
    static readonly string RangeMessage = $"Must be between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}.";

    static bool InRange(DateTime? value) => value is null || (value.Value >= Earliest && value.Value <= Latest);
}

/// <summary>POST /api/v1/runs — queue a reconciliation of the window [from, to) as a background job.</summary>
public static class StartRun
{
    public const int DefaultWindowDays = 30;

    /// <summary>
    /// Runs of a workspace waiting to start, the most a caller may queue: each reads what was ingested before it starts,
    /// so runs queued behind that many repeat one another's work, and a caller looping on this endpoint (a Zap or scenario
    /// run away) would fill the workers' time without end. Schedules are bounded on their own (20, once a minute at most).
    /// Two requests at once may both pass the count: the bound is a guard, not a count kept exact.
    /// </summary>
    public const int MaxQueued = 10;

    public static RouteHandlerBuilder Map(RouteGroupBuilder group) => group
        .MapPost("/runs", Handle)
        .WithName(nameof(StartRun))
        .WithSummary("Start a reconciliation run (asynchronous: 202 + Location to poll)")
        .WithDescription("No body, an empty body or `{}` starts a run over the default window, the last 30 days. `from`/`to` without an offset (or a date alone) are read in the workspace's timezone. " +
            "Both sides are read with a margin of dateToleranceHours around the window, so a pair whose dates straddle an edge is matched, not reported missing. " +
            $"A workspace may have {MaxQueued} runs it asked for waiting to start; one more is a 409 naming the newest.")
        .ProducesValidationProblem()
        .ProducesProblemSaying(StatusCodes.Status409Conflict, QueueFull(Examples.Run.Id))
        .WithExamples(request: Examples.StartRun, response: Examples.Run);

    public static async Task<Results<Accepted<RunResponse>, ProblemHttpResult>> Handle(
        StartRunRequest? request, ClaimsPrincipal user, ReconcileDbContext db, RunStarter runs, TimeProvider clock, CancellationToken ct)
    {
        // No body at all (Zapier and Make send none for "start a run"): the defaults.
        request ??= new StartRunRequest();
        var workspaceId = user.WorkspaceId();
        var queued = await db.Runs.Where(r => r.WorkspaceId == workspaceId && r.Status == RunStatus.Queued && r.ScheduleId == null)
            .OrderByDescending(r => r.CreatedAt).Select(r => r.Id).Take(MaxQueued).ToListAsync(ct);
        if (queued.Count >= MaxQueued)
            return Problems.Conflict(QueueFull(queued[0]));
        var zone = TimeZoneInfo.Utc;
        if (request.From?.Kind == DateTimeKind.Unspecified || request.To?.Kind == DateTimeKind.Unspecified)
            TimeZones.TryFind(await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.Timezone).SingleAsync(ct), out zone);
        var to = Utc(request.To, zone) ?? clock.GetUtcNow().UtcDateTime;
        var run = await runs.StartAsync(workspaceId,
            new RunStarter.Request(Utc(request.From, zone) ?? to.AddDays(-DefaultWindowDays), to, request.Label, request.CallbackUrl), ct);
        return TypedResults.Accepted($"/api/v1/runs/{run!.Id}", RunResponse.Of(run));
    }

    static string QueueFull(Guid newest) =>
        $"The workspace has {MaxQueued} runs waiting to start, the most it may have; each reads what was ingested before it starts. " +
        $"Wait for them (the newest is /api/v1/runs/{newest}) or cancel runs you do not need (POST /api/v1/runs/{{id}}/cancel).";

    /// <summary>An instant as sent; a wall-clock time (no offset) is read in the workspace's zone.</summary>
    static DateTime? Utc(DateTime? value, TimeZoneInfo zone) => value switch
    {
        null => null,
        { Kind: DateTimeKind.Unspecified } d => TimeZones.ToUtc(d, zone),
        { } d => d.ToUniversalTime(),
    };
}
