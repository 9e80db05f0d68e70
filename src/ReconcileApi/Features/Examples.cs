using ReconcileApi.Features.Admin;
using ReconcileApi.Features.Alerts;
using ReconcileApi.Features.Discrepancies;
using ReconcileApi.Features.Metrics;
using ReconcileApi.Features.Orders;
using ReconcileApi.Features.Runs;
using ReconcileApi.Features.Schedules;

namespace ReconcileApi.Features;

/// <summary>The request and response examples of the OpenAPI contract, one realistic story.</summary>
public static class Examples
{
    public static readonly Guid RunId = new("0193f0c2-7d4e-7a10-9c55-3c1f0b6f2a11");
    static readonly Guid BatchId = new("0193f0c1-11aa-7b22-8c33-4d5e6f708192");
    static readonly DateTime At = new(2026, 10, 2, 6, 0, 5, DateTimeKind.Utc);

    public static readonly CanonicalOrder[] Orders =
    [
        new()
        {
            OrderId = "450789469", OrderNumber = "#1001", CustomerEmail = "bob@example.com", CustomerName = "Bob Norman",
            OrderDate = new DateTime(2026, 10, 1, 17, 0, 0, DateTimeKind.Utc), Currency = "USD",
            Total = 598.94m, Subtotal = 560.00m, Tax = 28.94m, Shipping = 10.00m, Discount = 0m, AmountPaid = 598.94m, AmountRefunded = 0m,
            Status = "paid", PaymentReference = "ch_3Nx2f1",
            Lines = [new OrderLine("TEE-BLK-M", "632910392", "Tee", 2, 280.00m, 560.00m)],
        },
    ];

    public static readonly IngestReceipt Receipt = new(BatchId, OrderSource.Store, "canonical", 4, 1, 1, 0, 1, 0, 1,
        [new ReceiptError(3, "450789471", "total", "Must be a number or a numeric string, not \"n/a\".")],
        [new ReceiptError(0, "450789469", "orderId", "The same order id comes again at index 1; that later version was kept."),
         new ReceiptError(2, "450789470", "lines[0].unitPrice", "Is missing. " + ReconcileApi.Features.Orders.Formats.LineReader.LeftOut)]);

    public static readonly BatchResponse Batch = new(BatchId, OrderSource.Store, "canonical", At, 4, 1, 1, 0, 1, 0, 1, Receipt.Errors, Receipt.Warnings,
        [JsonSerializer.SerializeToElement(new { orderId = "450789471", orderNumber = "#1003", total = "n/a" })]);

    public static readonly StoredOrderResponse StoredOrder = new(OrderSource.Store, "450789469", 2, BatchId, At.AddDays(-1), At, Orders[0],
        [new OrderVersionResponse(1, new Guid("0193f0b0-0000-7000-8000-000000000001"), At.AddDays(-1), Orders[0] with { Status = "pending" })]);

    // The window covers the ingest example's order (2026-10-01 17:00 UTC), so trying the examples in order in the
    // Swagger UI (ingest, start a run, list its findings, resolve one) finds something (ExamplesTests).
    static readonly DateTime WindowFrom = new(2026, 9, 2, 0, 0, 0, DateTimeKind.Utc), WindowTo = new(2026, 10, 2, 0, 0, 0, DateTimeKind.Utc);

    public static readonly StartRunRequest StartRun = new(WindowFrom, WindowTo, null, "30 days to October 2");

    public static readonly RunResponse Run = new(
        RunId, RunStatus.Succeeded, WindowFrom, WindowTo,
        StartRun.Label, null, null, 0, At, At.AddSeconds(1), At.AddSeconds(3), 1250, 1241, 1236, 2, 17,
        new Dictionary<string, int> { ["missing_in_keap"] = 9, ["amount_mismatch"] = 5, ["status_mismatch"] = 3 },
        new Dictionary<string, int> { ["critical"] = 1, ["high"] = 9, ["medium"] = 5, ["low"] = 2 },
        4120.55m,
        new RunWindowSummary(1248, 1239, 151_220.40m, 147_099.85m, 0.9928m),
        WindowTo, WindowTo.AddHours(-1), 3, 1,
        new RunSyncLag(new SyncLag(WindowTo.AddMinutes(-19), 0, 0.32), new SyncLag(WindowTo.AddMinutes(-48), 0.48, 0.8)),
        6, 0, 11, 2, new RunProgress(RunPhase.Done, 17, 17), null);

    public static readonly ScheduleRequest Schedule = new("Every morning", "0 6 * * *", "America/New_York", 7, true,
        [new AlertRule(AlertRuleKind.MatchRateBelow, Threshold: 0.98m), new AlertRule(AlertRuleKind.SideSilent, Hours: 24),
         new AlertRule(AlertRuleKind.NewDiscrepanciesAbove, Threshold: 0, Severity: Severity.Critical)]);

    public static readonly ScheduleResponse ScheduleResponse = new(new Guid("0193f0c0-5c4e-7d10-8a55-2b1f0b6f2a10"), Schedule.Name, Schedule.Cron,
        Schedule.Timezone!, Schedule.WindowDays, true, Schedule.Alerts!, new DateTime(2026, 10, 3, 10, 0, 0, DateTimeKind.Utc), At, At);

    public static readonly AlertPage AlertPage = new(
        [new AlertResponse(311, AlertRuleKind.SideSilent, AlertStatus.Open, false,
            "Keap has received no order for 49.5 h (last dated 2026-09-30 04:30 UTC) while the store received orders in the last 24 h: the sync has likely stopped.",
            49.5m, 24, null, null, At, null, null, null)], null);

    static readonly Dictionary<string, int> NoCounts = [];

    public static readonly DailyMetrics DailyMetrics = new(new DateOnly(2026, 9, 30), new DateOnly(2026, 10, 1), "America/New_York",
        new MetricsTotals(83, 81, 10_120.40m, 9_880.15m, 80, 2, 0.9756m, 3, 1, 240.25m),
        new OpenDiscrepancies(17, 4120.55m, new Dictionary<string, int> { ["missing_in_keap"] = 9, ["amount_mismatch"] = 5, ["status_mismatch"] = 3 },
            new Dictionary<string, int> { ["critical"] = 1, ["high"] = 9, ["medium"] = 5, ["low"] = 2 }),
        [
            new DailyMetric(new DateOnly(2026, 9, 30), RunId, 41, 41, 5_020.00m, 5_020.00m, 41, 0, 1m, 0, NoCounts, NoCounts, 0, 1, 20.5),
            new DailyMetric(new DateOnly(2026, 10, 1), RunId, 42, 40, 5_100.40m, 4_860.15m, 39, 2, 0.9512m, 3,
                new Dictionary<string, int> { ["missing_in_keap"] = 2, ["amount_mismatch"] = 1 }, new Dictionary<string, int> { ["high"] = 2, ["medium"] = 1 },
                240.25m, 0, null),
        ]);

    public static readonly CauseMetrics CauseMetrics = new(new DateOnly(2026, 9, 2), new DateOnly(2026, 10, 1), new DateOnly(2026, 8, 3), new DateOnly(2026, 9, 1),
        "America/New_York",
        [
            new CauseMetric("sync_stopped", Category.MissingInKeap, 9, 2_310.00m, 1, 120.00m, Trend.Up),
            new CauseMetric("tax_or_shipping_not_synced", Category.AmountMismatch, 5, 180.40m, 5, 176.10m, Trend.Flat),
        ]);

    public static readonly RunPendingPage Pending = new(RunId, WindowTo, WindowTo.AddHours(-1),
        [new PendingOrderResponse(88, OrderSource.Store, "450789601", "1187", WindowTo.AddMinutes(-19), 19)], null);

    // The sentence the engine writes for these numbers (README walkthrough, step 4).
    const string CauseText = "The Keap total 560.00 is the store total 598.94 less tax 28.94 and shipping 10.00: those lines were not synced to Keap.";

    public static readonly DiscrepancyResponse Discrepancy = new(
        1042, RunId, Category.AmountMismatch, Severity.Medium, DiscrepancyState.Open, "1001", "450789469", "8812", null,
        "bob@example.com", new DateTime(2026, 10, 1, 17, 0, 0, DateTimeKind.Utc), "total", "598.94", "560.00", 38.94m, 38.94m, "USD",
        new CauseResponse("tax_or_shipping_not_synced", CauseText),
        new SuggestedActionResponse("update_keap", "keap", JsonSerializer.SerializeToElement(new { orderId = "8812", field = "total", value = 598.94m })),
        [], RunId, RunId, 1, At, At, null);

    public const string DiscrepancyCsv = CsvExport.Header + "\r\n" +
        "1042,0193f0c2-7d4e-7a10-9c55-3c1f0b6f2a11,amount_mismatch,medium,open,1001,450789469,8812,,bob@example.com,2026-10-01T17:00:00Z,total," +
        "598.94,560.00,38.94,38.94,USD,tax_or_shipping_not_synced,\"" + CauseText + "\",update_keap,keap," +
        "0193f0c2-7d4e-7a10-9c55-3c1f0b6f2a11,0193f0c2-7d4e-7a10-9c55-3c1f0b6f2a11,1,2026-10-02T06:00:05Z,2026-10-02T06:00:05Z,,,,," +
        "\"{\"\"orderId\"\":\"\"8812\"\",\"\"field\"\":\"\"total\"\",\"\"value\"\":598.94}\",\r\n";

    public static readonly DiscrepancyPage DiscrepancyPage = new([Discrepancy], "NjM4NjQ4MjI0MDUwMDAwMDAwOjEwNDI");

    public static readonly ResolveRequest Resolve = new("updated_in_keap", "Added the tax and shipping lines in Keap.", "ana@example.com");

    public static readonly DiscrepancyResponse ResolvedDiscrepancy = Discrepancy with
    {
        State = DiscrepancyState.Resolved,
        Resolution = new ResolutionResponse(ResolutionAction.UpdatedInKeap, Resolve.Note, Resolve.ResolvedBy, At.AddHours(2)),
        UpdatedAt = At.AddHours(2),
    };

    public static readonly HistoryEntry[] History =
    [
        new(1, DiscrepancyEventKind.Created, At, "system", null, DiscrepancyState.Open, null, null, RunId, null),
        new(2, DiscrepancyEventKind.StateChanged, At.AddHours(2), "ana@example.com", DiscrepancyState.Open, DiscrepancyState.Resolved, ResolutionAction.UpdatedInKeap, Resolve.Note, null, null),
    ];

    public static readonly WorkspaceCreated WorkspaceCreated = new(
        new Guid("0193f0a0-0000-7000-8000-0000000000aa"), "Acme Store", "America/New_York",
        new Guid("0193f0a0-0000-7000-8000-0000000000bb"), "rk_4q9V1mXb2kPq8sJf0aLr7tYc3nWz6uHe5gDi1oBv2xM");

    public static readonly ApiKeyCreated KeyCreated = new(WorkspaceCreated.KeyId, WorkspaceCreated.Id, WorkspaceCreated.ApiKey);

    public static readonly WorkspaceDetails WorkspaceDetails = new(WorkspaceCreated.Id, WorkspaceCreated.Name, WorkspaceCreated.Timezone, At,
        [new(WorkspaceCreated.KeyId, WorkspaceCreated.ApiKey[..12], At, null)]);
}
