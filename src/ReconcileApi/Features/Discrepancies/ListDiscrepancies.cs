using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ReconcileApi.Data;
using ReconcileApi.Engine;
using ReconcileApi.Infrastructure;

namespace ReconcileApi.Features.Discrepancies;

public sealed record DiscrepancyPage(IReadOnlyList<DiscrepancyResponse> Items, string? NextCursor);

/// <summary>
/// GET /api/v1/discrepancies and GET /api/v1/runs/{id}/discrepancies — filtered, newest first with a
/// stable unique id (usable as a Zapier polling trigger), cursor paged.
/// </summary>
public static class ListDiscrepancies
{
    const int MaxLimit = 500;

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/discrepancies", (ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct,
                string? state, string? category, string? severity, DateTime? since, string? orderKey, string? customerEmail,
                string? sort, int? limit, string? cursor) =>
                Handle(null, user, db, ct, state, category, severity, since, orderKey, customerEmail, sort, limit, cursor))
            .WithName(nameof(ListDiscrepancies))
            .WithSummary("List discrepancies across runs (default: open, newest first)")
            .WithDescription(Description)
            .ProducesValidationProblem()
            .WithExamples(response: Examples.DiscrepancyPage);
        group.MapGet("/runs/{id:guid}/discrepancies", (Guid id, ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct,
                string? state, string? category, string? severity, DateTime? since, string? orderKey, string? customerEmail,
                string? sort, int? limit, string? cursor) =>
                Handle(id, user, db, ct, state, category, severity, since, orderKey, customerEmail, sort, limit, cursor))
            .WithName("ListRunDiscrepancies")
            .WithSummary("List the discrepancies one run found (default: open, newest first)")
            .WithDescription(Description)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithExamples(response: Examples.DiscrepancyPage);
    }

    const string Description =
        "Filters: `state` (open, acknowledged, resolved, ignored or all; default open), `category` and `severity` (comma-separated), " +
        "`since` (detected at or after), `orderKey`, `customerEmail`. Sort `-detectedAt` (default) or `-impact`. " +
        "Page with `limit` (1–500, default 100) and the `nextCursor` of the previous page as `cursor`.";

    public static async Task<Results<Ok<DiscrepancyPage>, ValidationProblem, ProblemHttpResult>> Handle(
        Guid? runId, ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct,
        string? state, string? category, string? severity, DateTime? since, string? orderKey, string? customerEmail,
        string? sort, int? limit, string? cursor)
    {
        var workspaceId = user.WorkspaceId();
        var errors = new Dictionary<string, string[]>();
        var query = db.Discrepancies.AsNoTracking().Where(d => d.WorkspaceId == workspaceId);

        if (runId is { } rid)
        {
            if (!await db.Runs.AnyAsync(r => r.Id == rid && r.WorkspaceId == workspaceId, ct))
                return Problems.NotFound("Run", rid);
            query = query.Where(d => db.RunDiscrepancies.Any(rd => rd.RunId == rid && rd.DiscrepancyId == d.Id));
        }
        if (!string.Equals(state, "all", StringComparison.OrdinalIgnoreCase))
        {
            var states = ParseList<DiscrepancyState>(state ?? "open", "state", errors);
            query = query.Where(d => states.Contains(d.State));
        }
        if (category is not null)
        {
            var categories = ParseList<Category>(category, "category", errors);
            query = query.Where(d => categories.Contains(d.Category));
        }
        if (severity is not null)
        {
            var severities = ParseList<Severity>(severity, "severity", errors);
            query = query.Where(d => severities.Contains(d.Severity));
        }
        if (since is { } s)
        {
            var utc = s.ToUniversalTime();
            query = query.Where(d => d.DetectedAt >= utc);
        }
        if (!string.IsNullOrWhiteSpace(orderKey))
            query = query.Where(d => d.OrderKey == orderKey.Trim().ToLowerInvariant() || d.OrderKey == orderKey.Trim());
        if (!string.IsNullOrWhiteSpace(customerEmail))
            query = query.Where(d => d.CustomerEmail == customerEmail.Trim().ToLowerInvariant() || d.CustomerEmail == customerEmail.Trim());
        var byImpact = sort switch
        {
            null or "" or "-detectedAt" => false,
            "-impact" => true,
            _ => Invalid(errors, "sort", "Use -detectedAt or -impact."),
        };
        var take = limit ?? 100;
        if (take is < 1 or > MaxLimit)
            errors["limit"] = [$"Must be between 1 and {MaxLimit}."];
        Cursor? after = null;
        if (cursor is not null && !Cursor.TryParse(cursor, out after))
            errors["cursor"] = ["Is not a cursor this API returned; pass nextCursor unchanged."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, detail: "One or more query parameters are invalid; see errors.");

        if (byImpact)
        {
            if (after is { } c)
            {
                var impact = c.Value / 10_000m;
                query = query.Where(d => d.Impact < impact || (d.Impact == impact && d.Id < c.Id));
            }
            query = query.OrderByDescending(d => d.Impact).ThenByDescending(d => d.Id);
        }
        else
        {
            if (after is { } c)
            {
                var at = new DateTime(c.Value, DateTimeKind.Utc);
                query = query.Where(d => d.DetectedAt < at || (d.DetectedAt == at && d.Id < c.Id));
            }
            query = query.OrderByDescending(d => d.DetectedAt).ThenByDescending(d => d.Id);
        }
        var rows = await query.Take(take + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > take)
        {
            rows.RemoveAt(take);
            var last = rows[^1];
            next = new Cursor(byImpact ? (long)(last.Impact * 10_000m) : last.DetectedAt.Ticks, last.Id).ToString();
        }
        var items = rows.Select(DiscrepancyResponse.From).ToList();
        if (runId is { } id)
            items = items.ConvertAll(i => i with { RunId = id });
        return TypedResults.Ok(new DiscrepancyPage(items, next));
    }

    static List<T> ParseList<T>(string text, string field, Dictionary<string, string[]> errors) where T : struct, Enum
    {
        var values = new List<T>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (WireEnum.TryParse<T>(part, out var value))
                values.Add(value);
            else
                errors[field] = [$"'{part}' is not one of: {WireEnum.Names<T>()}."];
        }
        return values;
    }

    static bool Invalid(Dictionary<string, string[]> errors, string field, string message)
    {
        errors[field] = [message];
        return false;
    }

    /// <summary>Opaque keyset cursor: the sort value and the id of the last row of the page.</summary>
    readonly record struct Cursor(long Value, long Id)
    {
        public override string ToString() =>
            Convert.ToBase64String(Encoding.ASCII.GetBytes($"{Value}:{Id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static bool TryParse(string text, out Cursor? cursor)
        {
            cursor = null;
            try
            {
                var b64 = text.Replace('-', '+').Replace('_', '/');
                b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
                var parts = Encoding.ASCII.GetString(Convert.FromBase64String(b64)).Split(':');
                if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                    && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                {
                    cursor = new Cursor(value, id);
                    return true;
                }
            }
            catch (FormatException)
            {
            }
            return false;
        }
    }
}
