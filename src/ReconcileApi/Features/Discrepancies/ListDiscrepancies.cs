using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace ReconcileApi.Features.Discrepancies;

/// <summary>The filters, sort and page of a discrepancy list (query parameters).</summary>
public sealed record DiscrepancyQuery(
    string? State = null, string? Category = null, string? Severity = null, DateTime? Since = null, string? OrderKey = null,
    string? CustomerEmail = null, string? Sort = null, int? Limit = null, string? Cursor = null, string? Format = null, bool? Excel = null);

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
        group.MapGet("/discrepancies", ([AsParameters] DiscrepancyQuery query, HttpRequest request, ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct) =>
                Handle(null, query, request, user, db, ct))
            .WithName(nameof(ListDiscrepancies))
            .WithSummary("List discrepancies across runs (default: open, newest first)")
            .WithDescription(Description)
            .WithLimit(MaxLimit)
            .ProducesValidationProblem()
            .WithExamples(response: Examples.DiscrepancyPage, csv: Examples.DiscrepancyCsv);
        group.MapGet("/runs/{id:guid}/discrepancies", (Guid id, [AsParameters] DiscrepancyQuery query, HttpRequest request, ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct) =>
                Handle(id, query, request, user, db, ct))
            .WithName("ListRunDiscrepancies")
            .WithSummary("List the discrepancies one run created, reopened or changed, and those it is the latest run to have seen (default: open, newest first)")
            .WithDescription("For the workspace's latest run that is everything it found; an earlier run's list no longer shows what later runs saw " +
                "again unchanged (those count in the discrepancy's `occurrences` and `lastSeenRunId`, not in a row per run). " + Description)
            .WithLimit(MaxLimit)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithExamples(response: Examples.DiscrepancyPage, csv: Examples.DiscrepancyCsv);
    }

    const string Description =
        "Filters: `state` (open, acknowledged, resolved, ignored or all; default open), `category` and `severity` (comma-separated), " +
        "`since` (detected at or after), `orderKey`, `customerEmail`. " +
        "Sort `-detectedAt` (default: newest first, one run's findings by severity then impact), `-impact`, `severity`, or `-id` " +
        "(newest first by id: a polling trigger that reads only the first page sees every new finding across runs). " +
        "Page with `limit` (1–500, default 100) and the `nextCursor` of the previous page as `cursor`. " +
        "`?format=csv` or `Accept: text/csv` (at a quality no lower than JSON's) streams every matching row (from `cursor` on, up to `limit` when given) as CSV for spreadsheets, " +
        "with the suggested values (JSON) and the line differences as columns; add `excel=true` for a byte order mark and dates Excel recognises.";

    public static async Task<Results<Ok<DiscrepancyPage>, CsvExport, ValidationProblem, ProblemHttpResult>> Handle(
        Guid? runId, DiscrepancyQuery q, HttpRequest request, ClaimsPrincipal user, ReconcileDbContext db, CancellationToken ct)
    {
        var (state, category, severity, since, orderKey, customerEmail, sort, limit, cursor, format, excel) = q;
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)
            || (format is null && CsvExport.Preferred(request));
        var workspaceId = user.WorkspaceId();
        var errors = new Dictionary<string, string[]>();
        var query = db.Discrepancies.AsNoTracking().Where(d => d.WorkspaceId == workspaceId);

        if (runId is { } rid)
        {
            if (!await db.Runs.AnyAsync(r => r.Id == rid && r.WorkspaceId == workspaceId, ct))
                return Problems.NotFound("Run", rid);
            // What the run created (first seen), reopened or changed (linked), and what it is the latest run to have seen:
            // for the workspace's latest run, everything it found. Persisting rows are not linked to every run.
            query = query.Where(d => d.LastSeenRunId == rid || d.FirstSeenRunId == rid
                || db.RunDiscrepancies.Any(rd => rd.RunId == rid && rd.DiscrepancyId == d.Id));
        }
        if (!string.Equals(state, "all", StringComparison.OrdinalIgnoreCase))
        {
            var states = WireEnum.ParseList<DiscrepancyState>(state, "state", errors) ?? [DiscrepancyState.Open];
            // One state (the common case) as an equality, which the list indexes serve directly.
            if (states.Count == 1)
            {
                var only = states[0];
                query = query.Where(d => d.State == only);
            }
            else
            {
                query = query.Where(d => states.Contains(d.State));
            }
        }
        if (WireEnum.ParseList<Category>(category, "category", errors) is { } categories)
            query = query.Where(d => categories.Contains(d.Category));
        if (WireEnum.ParseList<Severity>(severity, "severity", errors) is { } severities)
            query = query.Where(d => severities.Contains(d.Severity));
        if (since is { } s)
        {
            var utc = s.ToUniversalTime();
            query = query.Where(d => d.DetectedAt >= utc);
        }
        if (!string.IsNullOrWhiteSpace(orderKey))
            query = query.Where(d => d.OrderKey == orderKey.Trim().ToLowerInvariant() || d.OrderKey == orderKey.Trim());
        if (!string.IsNullOrWhiteSpace(customerEmail))
        {
            // Emails are stored as the source wrote them; like matching, the filter ignores case.
            var email = customerEmail.Trim().ToLowerInvariant();
            query = query.Where(d => d.CustomerEmail != null && d.CustomerEmail.ToLower() == email);
        }
        var order = sort is null ? Sort.Newest
            : Array.IndexOf(SortNames, sort) is >= 0 and var known ? (Sort)known
            : Invalid(errors, "sort", "Use -detectedAt, -impact, severity or -id.");
        var take = limit ?? 100;
        Paging.CheckLimit(errors, take, MaxLimit);
        Paging.CheckOnce(errors, request.Query, "orderKey", "customerEmail");
        if (format is not null && !csv && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
            errors["format"] = ["Use json or csv."];
        Cursor? after = null;
        if (cursor is not null && !Cursor.TryParse(cursor, out after))
            errors["cursor"] = [Paging.NotACursor];
        // Another sort's cursor would skip past rows by the wrong keys: an empty or partial page, and paging silently stopped.
        else if (after is not null && after.Order != order && !errors.ContainsKey("sort"))
            errors["cursor"] = [$"Belongs to another sort (sort={SortNames[(int)after.Order]}); send it with that sort, or leave it out to start from the first page."];
        if (errors.Count > 0)
            return Problems.InvalidQuery(errors);

        query = Page(query, order, after);
        if (csv)
            return new CsvExport(limit is null ? query : query.Take(take), runId, excel == true);
        var rows = await query.Take(take + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > take)
        {
            rows.RemoveAt(take);
            next = Cursor.After(rows[^1], order).ToString();
        }
        var items = rows.Select(DiscrepancyResponse.From).ToList();
        if (runId is { } id)
            items = items.ConvertAll(i => i with { RunId = id });
        return TypedResults.Ok(new DiscrepancyPage(items, next));
    }

    internal enum Sort { Newest, Impact, Severity, NewestId }

    /// <summary>The sorts as <c>?sort=</c> names them, in the order of <see cref="Sort"/>.</summary>
    static readonly string[] SortNames = ["-detectedAt", "-impact", "severity", "-id"];

    /// <summary>
    /// Orders the rows and skips past the cursor. Newest first breaks ties (one run's findings share a
    /// detection time) by severity, then impact; the id makes every order total, so pages never repeat
    /// or skip a row.
    /// </summary>
    internal static IQueryable<Discrepancy> Page(IQueryable<Discrepancy> query, Sort order, Cursor? after)
    {
        switch (order)
        {
            case Sort.NewestId:
                if (after is { } i)
                    query = query.Where(d => d.Id < i.Id);
                return query.OrderByDescending(d => d.Id);
            case Sort.Impact:
                if (after is { } a)
                {
                    var impact = a.Impact;
                    query = query.Where(d => d.Impact < impact || (d.Impact == impact && d.Id < a.Id));
                }
                return query.OrderByDescending(d => d.Impact).ThenByDescending(d => d.Id);
            case Sort.Severity:
                if (after is { } b)
                {
                    var impact = b.Impact;
                    query = query.Where(d => d.SeverityRank > b.Rank || (d.SeverityRank == b.Rank
                        && (d.Impact < impact || (d.Impact == impact && d.Id < b.Id))));
                }
                return query.OrderBy(d => d.SeverityRank).ThenByDescending(d => d.Impact).ThenByDescending(d => d.Id);
            default:
                if (after is { } c)
                {
                    var at = c.DetectedAt;
                    var impact = c.Impact;
                    query = query.Where(d => d.DetectedAt < at || (d.DetectedAt == at && (d.SeverityRank > c.Rank || (d.SeverityRank == c.Rank
                        && (d.Impact < impact || (d.Impact == impact && d.Id < c.Id))))));
                }
                return query.OrderByDescending(d => d.DetectedAt).ThenBy(d => d.SeverityRank).ThenByDescending(d => d.Impact).ThenByDescending(d => d.Id);
        }
    }

    static Sort Invalid(Dictionary<string, string[]> errors, string field, string message)
    {
        errors[field] = [message];
        return Sort.Newest;
    }

    /// <summary>Opaque keyset cursor: the sort it was made for, the sort values and the id of the last row of a page.</summary>
    internal sealed record Cursor(Sort Order, long Ticks, int Rank, long ImpactUnits, long Id)
    {
        /// <summary>More than any finding's impact: the difference of two totals within ±10^12, in 1/10,000 units.</summary>
        const long MaxImpactUnits = 100_000_000_000_000_000;

        public DateTime DetectedAt => new(Ticks, DateTimeKind.Utc);
        public decimal Impact => ImpactUnits / 10_000m;

        public static Cursor After(Discrepancy d, Sort order) => order switch
        {
            Sort.NewestId => new Cursor(order, 0, 0, 0, d.Id),
            Sort.Impact => new Cursor(order, 0, 0, (long)(d.Impact * 10_000m), d.Id),
            Sort.Severity => new Cursor(order, 0, d.SeverityRank, (long)(d.Impact * 10_000m), d.Id),
            _ => new Cursor(order, d.DetectedAt.Ticks, d.SeverityRank, (long)(d.Impact * 10_000m), d.Id),
        };

        public override string ToString() =>
            System.Buffers.Text.Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Join(':', (int)Order, Ticks, Rank, ImpactUnits, Id)));

        public static bool TryParse(string text, out Cursor? cursor)
        {
            cursor = null;
            try
            {
                var parts = Encoding.ASCII.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(text)).Split(':');
                var values = new long[5];
                if (parts.Length != 5 || !parts.Select((p, i) => long.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i])).All(ok => ok))
                    return false;
                // Only values a page could have ended on: a tampered cursor is refused, not turned into a sort, a date or a rank.
                var (order, ticks, rank, impact, id) = (values[0], values[1], values[2], values[3], values[4]);
                if (order < 0 || order >= SortNames.Length || ticks < 0 || ticks > DateTime.MaxValue.Ticks || rank is < 0 or > 3
                    || impact is < -MaxImpactUnits or > MaxImpactUnits || id < 0)
                    return false;
                cursor = new Cursor((Sort)order, ticks, (int)rank, impact, id);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }
}
