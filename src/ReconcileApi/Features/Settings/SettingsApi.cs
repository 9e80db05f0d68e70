using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace ReconcileApi.Features.Settings;

/// <summary>The workspace's current settings; <c>version</c> 0 means the built-in defaults.</summary>
public sealed record SettingsResponse(int Version, DateTime? UpdatedAt, ReconcileSettings Settings);

/// <summary>
/// The engine owns the rules for its settings; this runs them in the one validation filter, with the text rule every request
/// body follows (<see cref="TextRules"/>): the store's name as the platform it stands for is kept (64 characters: it goes into
/// every create_in_keap title, the CSV export and webhooks), a mapped SKU as an order's (255), a raw status as an order's (64),
/// none with a control character. They were taken at any length and with any character: <c>"storeName": "Shop\u0000"</c>
/// put a NUL into the suggested Keap title of every order missing in Keap.
/// </summary>
public sealed class ReconcileSettingsValidator : AbstractValidator<ReconcileSettings>
{
    // As an order's platform, SKU and status are kept (OrderValidator).
    const int MaxName = Orders.OrderValidator.MaxCodeLength, MaxSku = Orders.OrderValidator.MaxReferenceLength, MaxStatus = Orders.OrderValidator.MaxCodeLength;

    public ReconcileSettingsValidator() =>
        RuleFor(s => s).Custom((settings, context) =>
        {
            foreach (var error in settings.Validate())
                context.AddFailure(error.Field, error.Message);
            if (TextRules.Problem(settings.StoreName, MaxName) is { } name)
                context.AddFailure("storeName", name);
            foreach (var (store, keap) in settings.SkuMap ?? new Dictionary<string, string>())
            {
                if ((TextRules.Problem(store, MaxSku) ?? TextRules.Problem(keap, MaxSku)) is { } sku)
                    context.AddFailure("skuMap", $"The entry '{TextRules.Cut(store, 40)}': {sku}");
            }
            foreach (var (source, map) in settings.StatusMap ?? new Dictionary<OrderSource, IReadOnlyDictionary<string, PaymentState>>())
            {
                foreach (var raw in map?.Keys ?? [])
                {
                    if (TextRules.Problem(raw, MaxStatus) is { } status)
                        context.AddFailure($"statusMap.{(source == OrderSource.Store ? "store" : "keap")}", $"The raw status '{TextRules.Cut(raw, 40)}': {status}");
                }
            }
        });
}

/// <summary>GET/PUT /api/v1/settings — what a match is and how fields compare; every change is a new version.</summary>
public static class SettingsApi
{
    public static IEndpointRouteBuilder MapSettings(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("Settings", "How the workspace pairs and compares orders: key patterns, tolerances, severity thresholds, source of truth.");
        group.MapGet("/settings", GetSettings)
            .WithName(nameof(GetSettings))
            .WithSummary("Read the workspace's reconciliation settings (version 0 = the defaults)")
            .WithETag("the settings")
            .WithExamples(response: new SettingsResponse(0, null, ReconcileSettings.Default));
        group.MapPut("/settings", UpdateSettings)
            .WithName(nameof(UpdateSettings))
            .WithSummary("Replace the settings; each change is a new version and later runs record the version they used")
            .WithDescription("Send the whole settings object (start from GET). If-Match with the ETag of the version you read avoids overwriting someone else's change (412 when stale); " +
                "If-None-Match with an ETag writes only when the settings are no longer that version, and If-None-Match: * is always 412 (the settings always have a version, 0 being the defaults).")
            .ProducesValidationProblem()
            .ProducesProblemSaying(StatusCodes.Status412PreconditionFailed, Stale(4))
            .WithETag("the settings", always: false)
            .WithExamples(request: ReconcileSettings.Default with { AmountTolerance = 0.05m }, response: new SettingsResponse(1, new DateTime(2026, 10, 2, 8, 0, 0, DateTimeKind.Utc), ReconcileSettings.Default with { AmountTolerance = 0.05m }));
        return app;
    }

    public static async Task<Ok<SettingsResponse>> GetSettings(ClaimsPrincipal user, ReconcileDbContext db, HttpResponse response, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var current = await CurrentAsync(db, workspaceId, ct);
        response.Headers.ETag = ETags.Of(current.Version);
        return TypedResults.Ok(current);
    }

    public static async Task<Results<Ok<SettingsResponse>, ProblemHttpResult>> UpdateSettings(
        ReconcileSettings settings, [FromHeader(Name = ETags.IfMatchHeader)] string? ifMatch,
        [FromHeader(Name = ETags.IfNoneMatchHeader)] string? ifNoneMatch, ClaimsPrincipal user, ReconcileDbContext db, HttpResponse response, TimeProvider clock, CancellationToken ct)
    {
        var workspaceId = user.WorkspaceId();
        var json = JsonSerializer.Serialize(settings, StoredJson.Options);
        // A PUT whose version number another took meanwhile reads the version again: without If-Match the last writer wins
        // and every write stays in the history as a version of its own; with If-Match the fresh read answers 412.
        return await db.DecideAgainAsync<Results<Ok<SettingsResponse>, ProblemHttpResult>>(async () =>
        {
            var version = await SettingsStore.CurrentVersionAsync(db, workspaceId, ct);
            if (!ETags.Matches(ifMatch, version))
                return Problems.PreconditionFailed(Stale(version));
            // The settings always have a version (0: the defaults), so If-None-Match: * is always refused.
            if (!ETags.NoneMatch(ifNoneMatch, version))
                return ETags.Exists(ifNoneMatch, version);
            var row = new SettingsVersion { WorkspaceId = workspaceId, Version = version + 1, Json = json, CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.SettingsVersions.Add(row);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation())
            {
                return null;
            }
            response.Headers.ETag = ETags.Of(row.Version);
            return TypedResults.Ok(new SettingsResponse(row.Version, row.CreatedAt, settings));
        }, () =>
        {
            response.Headers.RetryAfter = "1";
            return Problems.Problem(StatusCodes.Status429TooManyRequests,
                $"More than {MaxWriters} requests changed the settings at the same time; retry after 1 s.");
        }, MaxWriters);
    }

    /// <summary>
    /// Each try a PUT loses is a version another PUT wrote, so it succeeds by the try after the writes racing it: this many
    /// cover people and no-code steps editing one workspace's settings at once.
    /// </summary>
    const int MaxWriters = 10;

    static async Task<SettingsResponse> CurrentAsync(ReconcileDbContext db, Guid workspaceId, CancellationToken ct)
    {
        var latest = await db.SettingsVersions.AsNoTracking()
            .Where(s => s.WorkspaceId == workspaceId)
            .OrderByDescending(s => s.Version)
            .FirstOrDefaultAsync(ct);
        return latest is null
            ? new SettingsResponse(0, null, await SettingsStore.LoadAsync(db, workspaceId, 0, ct))
            : new SettingsResponse(latest.Version, latest.CreatedAt, JsonSerializer.Deserialize<ReconcileSettings>(latest.Json, StoredJson.Options)!);
    }

    static string Stale(int version) => $"The settings changed since you read them (now version {version}); read them again.";
}
