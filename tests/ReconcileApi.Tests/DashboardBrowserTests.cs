using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Xunit.Abstractions;

namespace ReconcileApi.Tests;

/// <summary>
/// The dashboard in a real browser: the service runs as a child process on a real port with a SQLite file of its
/// own, data go in through the API, and headless Chromium opens <c>/dashboard#key=…</c>; the tests read the DOM it
/// dumps (every number carries a <c>data-testid</c> and its raw value) and keep screenshots in
/// <c>bin/…/dashboard-artifacts/</c>. Chromium comes from PATH, or is installed (see <see cref="Chromium"/>).
/// </summary>
public sealed class DashboardBrowserTests(DashboardBrowserTests.SeededService seeded, ITestOutputHelper output)
    : IClassFixture<DashboardBrowserTests.SeededService>
{
    const int DesktopWidth = 1280, DesktopHeight = 2000, PhoneWidth = 375, PhoneHeight = 1400;

    [Fact]
    public async Task Page_DrawsTheRecentRuns_AndSaysWhichSectionsItCannotShowYet()
    {
        var dom = await seeded.RenderAsync(seeded.PageUrl(seeded.ApiKey), DesktopWidth, DesktopHeight);
        var run = seeded.Run;

        var row = Single(dom, $"[data-testid=run-row][data-run-id='{run.GetProperty("id").GetString()}']");
        Assert.Equal("succeeded", row.GetAttribute("data-status"));
        Assert.Equal(4, Value(row, "run-discrepancies"));
        Assert.Equal(run.GetProperty("discrepancies").GetDecimal(), Value(row, "run-discrepancies"));
        Assert.Equal(8, Value(row, "run-store-orders"));
        Assert.Equal(5, Value(row, "run-keap-orders"));
        Assert.Equal(5, Value(row, "run-matched"));
        Assert.Equal(run.GetProperty("impact").GetDecimal(), Value(row, "run-impact"));
        Assert.Equal(run.GetProperty("window").GetProperty("matchRate").GetDecimal(), Value(row, "run-match-rate"));
        Assert.Equal("4", Number(row, "run-discrepancies").TextContent);
        Assert.Equal("ready", Section(dom, "runs").GetAttribute("data-state"));

        // Never a blank page: every section drew its data or says why not (a 404 is "not available", not an error).
        Assert.Equal("ready", Single(dom, "[data-testid=dashboard]").GetAttribute("data-state"));
        foreach (var section in dom.QuerySelectorAll("section[data-testid]"))
        {
            var state = section.GetAttribute("data-state");
            Assert.True(state is "ready" or "empty" or "unavailable",
                $"{section.GetAttribute("data-testid")} is '{state}': {section.TextContent.Trim()}");
            if (state == "unavailable")
                Assert.Contains("not available", section.TextContent, StringComparison.OrdinalIgnoreCase);
        }
        Assert.True(Single(dom, "[data-testid=banner]").HasAttribute("hidden"), "A banner shows: " + Single(dom, "[data-testid=banner]").TextContent);
        Assert.True(Single(dom, "[data-testid=key-form]").HasAttribute("hidden"), "The key form still shows although the key came in the fragment.");
        Assert.DoesNotContain(seeded.ApiKey, dom.DocumentElement.OuterHtml);
    }

    [Fact]
    public async Task Page_SaysSoInThePage_WhenTheKeyIsRefused_OrMissing()
    {
        var refused = await seeded.RenderAsync(seeded.PageUrl("rk_not_a_key_of_this_service"), DesktopWidth, 900);
        var banner = Single(refused, "[data-testid=banner]");
        Assert.False(banner.HasAttribute("hidden"), "No banner for a refused key.");
        Assert.Equal("error", banner.GetAttribute("data-kind"));
        Assert.Contains("401", banner.TextContent);
        Assert.False(Single(refused, "[data-testid=key-form]").HasAttribute("hidden"), "The key form is hidden after a 401.");
        Assert.Empty(refused.QuerySelectorAll("[data-testid=run-row]"));
        Assert.Equal("locked", Section(refused, "runs").GetAttribute("data-state"));

        var missing = await seeded.RenderAsync(seeded.PageUrl(key: null), DesktopWidth, 900);
        Assert.Equal("info", Single(missing, "[data-testid=banner]").GetAttribute("data-kind"));
        Assert.False(Single(missing, "[data-testid=key-form]").HasAttribute("hidden"), "No key form without a key.");
        Assert.Equal("locked", Single(missing, "[data-testid=dashboard]").GetAttribute("data-state"));
    }

    [Fact]
    public async Task Screenshots_AtDesktopAndPhoneSize_AreSaved()
    {
        foreach (var (width, height) in new[] { (DesktopWidth, DesktopHeight), (PhoneWidth, PhoneHeight) })
        {
            var file = Path.Combine(seeded.ArtifactsFolder, $"dashboard-{width}x{height}.png");
            await Chromium.ScreenshotAsync(seeded.Browser, seeded.PageUrl(seeded.ApiKey), width, height, file);
            output.WriteLine($"screenshot: {file}");

            var png = await File.ReadAllBytesAsync(file);
            Assert.True(png.Length > 20_000, $"{file} has {png.Length} bytes: a page with its sections drawn is far more than a blank one.");
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
            Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
            Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
            Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        }
    }

    [Fact]
    public async Task KeyInTheFragment_MovesToSessionStorage_AndLeavesTheAddressBar()
    {
        var page = await Chromium.EvaluateAsync(seeded.Browser, seeded.PageUrl(seeded.ApiKey), DesktopWidth, 900,
            ready: "document.getElementById('dashboard')?.dataset.state === 'ready'",
            expression: "({ href: location.href, stored: Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k)) })");

        Assert.Equal(new Uri(seeded.PageUrl(key: null)).ToString(), page.GetProperty("href").GetString());
        Assert.Equal([seeded.ApiKey], page.GetProperty("stored").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task Page_OnAPhone_IsOneColumn_WithoutSidewaysScrolling()
    {
        var layout = await Chromium.EvaluateAsync(seeded.Browser, seeded.PageUrl(seeded.ApiKey), PhoneWidth, PhoneHeight,
            ready: "document.getElementById('dashboard')?.dataset.state === 'ready'",
            expression: """
                (() => {
                  const root = document.documentElement;
                  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.dataset.testid ? `[${e.dataset.testid}]` : '');
                  const row = document.querySelector('[data-testid=run-row]');
                  return {
                    viewport: root.clientWidth,
                    scrollWidth: root.scrollWidth,
                    columns: getComputedStyle(document.getElementById('dashboard')).gridTemplateColumns.split(' ').length,
                    overflowing: [...document.querySelectorAll('body *')]
                      .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 0.5).slice(0, 8).map(name),
                    runRowDisplay: row ? getComputedStyle(row).display : null,
                  };
                })()
                """);
        output.WriteLine($"phone layout: {layout}");

        Assert.Equal(PhoneWidth, layout.GetProperty("viewport").GetInt32());
        Assert.Equal(1, layout.GetProperty("columns").GetInt32());
        Assert.True(layout.GetProperty("scrollWidth").GetInt32() <= PhoneWidth,
            $"The page is {layout.GetProperty("scrollWidth")} px wide on a {PhoneWidth} px phone; past its right edge: {layout.GetProperty("overflowing")}");
        Assert.Empty(layout.GetProperty("overflowing").EnumerateArray());
        // A table row becomes a card of label/value lines.
        Assert.Equal("block", layout.GetProperty("runRowDisplay").GetString());
    }

    /// <summary>
    /// What the page draws from <c>/api/v1/metrics/daily</c>, <c>/metrics/causes</c> and <c>/alerts</c> for the seeded
    /// data. Those endpoints are being built on main; until they are merged the page shows those sections as "not
    /// available" (the test above holds it to that), and this test cannot pass.
    /// </summary>
    [Fact]
    public async Task Page_DrawsTheSeededMetrics()
    {
        var dom = await seeded.RenderAsync(seeded.PageUrl(seeded.ApiKey), DesktopWidth, DesktopHeight);
        var run = seeded.Run;
        foreach (var section in new[] { "summary", "match-rate", "by-category", "by-severity", "causes" })
            Assert.Equal("ready", Section(dom, section).GetAttribute("data-state"));

        // Open now: what the run found, all still open.
        Assert.Equal(run.GetProperty("discrepancies").GetDecimal(), Value(dom.DocumentElement, "open-total"));
        Assert.Equal(4, Value(dom.DocumentElement, "open-total"));
        Assert.Equal(run.GetProperty("impact").GetDecimal(), Value(dom.DocumentElement, "open-impact"));
        Assert.Equal(245m, Value(dom.DocumentElement, "open-impact"));

        // Bars: by category and by severity, each as the run counted them.
        var categories = dom.QuerySelectorAll("[data-testid=category-bar]")
            .ToDictionary(b => b.GetAttribute("data-category")!, b => int.Parse(b.GetAttribute("data-count")!, CultureInfo.InvariantCulture));
        Assert.Equal(new Dictionary<string, int> { ["missing_in_keap"] = 3, ["amount_mismatch"] = 1 }, categories);
        Assert.Equal(3, Value(Single(dom, "[data-testid=category-bar][data-category=missing_in_keap]"), "category-count"));
        var severities = dom.QuerySelectorAll("[data-testid=severity-bar]")
            .ToDictionary(b => b.GetAttribute("data-severity")!, b => int.Parse(b.GetAttribute("data-count")!, CultureInfo.InvariantCulture));
        Assert.Equal(run.GetProperty("bySeverity").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()), severities);

        // The match rate per day the orders are dated (UTC workspace): matched store orders of those that should be in Keap.
        var points = dom.QuerySelectorAll("[data-testid=match-rate-point]")
            .ToDictionary(p => p.GetAttribute("data-date")!, p => decimal.Parse(p.GetAttribute("data-value")!, CultureInfo.InvariantCulture));
        Assert.Equal(0.5m, points[seeded.Date(4)]);
        Assert.Equal(2m / 3, points[seeded.Date(3)], 3);
        Assert.Equal(0.5m, points[seeded.Date(2)]);
        Assert.Equal(1m, points[seeded.Date(1)]);
        Assert.DoesNotContain(seeded.Date(5), points.Keys);

        // Causes: every finding has one; the missing orders' findings add up to the three seeded, all new this period.
        var causes = dom.QuerySelectorAll("[data-testid=cause-row]").ToList();
        Assert.NotEmpty(causes);
        Assert.Equal(3, causes.Where(c => c.GetAttribute("data-category") == "missing_in_keap").Sum(c => Value(c, "cause-findings")));
        Assert.Equal(4, causes.Sum(c => Value(c, "cause-findings")));
        Assert.All(causes, c => Assert.Equal("new", c.GetAttribute("data-trend")));

        // No alert rule is set, so no alert fired.
        Assert.Equal("empty", Section(dom, "alerts").GetAttribute("data-state"));
    }

    static IElement Section(IDocument dom, string name) => Single(dom, $"[data-testid=section-{name}]");

    static IElement Single(IParentNode scope, string selector)
    {
        var found = scope.QuerySelectorAll(selector);
        Assert.True(found.Length == 1, $"Expected one '{selector}', found {found.Length}.");
        return found[0];
    }

    static IElement Number(IParentNode scope, string testId) => Single(scope, $"[data-testid={testId}]");

    static decimal Value(IParentNode scope, string testId) =>
        decimal.Parse(Number(scope, testId).GetAttribute("data-value")!, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>
    /// The real service as a child process on a free port (SQLite file of its own, real clock), a workspace with orders
    /// over four days (three missing in Keap, one amount mismatch, the rest matched) and a run over them that succeeded.
    /// </summary>
    public sealed class SeededService : IAsyncLifetime
    {
        const string AdminKey = "dashboard-test-admin-key-0123456789abcdef";
        readonly string databasePath = Path.Combine(Path.GetTempPath(), "reconcile-tests", $"dashboard-{Guid.NewGuid():N}.db");
        readonly DateTime today = DateTime.UtcNow.Date;
        ServiceProcess? service;

        public string Browser { get; private set; } = "";
        public string ApiKey { get; private set; } = "";
        public JsonElement Run { get; private set; }
        public string ArtifactsFolder { get; } = Path.Combine(AppContext.BaseDirectory, "dashboard-artifacts");

        /// <summary>The date <paramref name="daysAgo"/> days before today (UTC, the workspace's timezone).</summary>
        public string Date(int daysAgo) => today.AddDays(-daysAgo).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        public string PageUrl(string? key) =>
            new Uri(service!.BaseAddress, "/dashboard") + (key is null ? "" : "#key=" + Uri.EscapeDataString(key));

        /// <summary>The page as Chromium left it; once more if it was still loading (a slow machine outran the virtual time).</summary>
        public async Task<IDocument> RenderAsync(string url, int width, int height)
        {
            IDocument? dom = null;
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                var html = await Chromium.DumpDomAsync(Browser, url, width, height);
                await File.WriteAllTextAsync(Path.Combine(ArtifactsFolder, $"dashboard-{width}x{height}.html"), html);
                dom = new HtmlParser().ParseDocument(html);
                if (dom.QuerySelector("[data-testid=dashboard]")?.GetAttribute("data-state") is "ready" or "locked")
                    return dom;
            }
            return dom!;
        }

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(ArtifactsFolder);
            Directory.CreateDirectory(Path.GetDirectoryName(databasePath)!);
            Browser = await Chromium.LocateAsync(Console.WriteLine);
            service = await ServiceProcess.StartAsync("dashboard", new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Testing",
                ["ConnectionStrings__Reconcile"] = $"Data Source={databasePath}",
                ["Auth__AdminKey"] = AdminKey,
                ["Jobs__WorkerCount"] = "2",
                ["Webhooks__AllowPrivateTargets"] = "true",
            });
            try
            {
                await SeedAsync();
            }
            catch (Exception e)
            {
                throw new InvalidOperationException("Seeding the dashboard's service failed.\n" + service.Log, e);
            }
        }

        async Task SeedAsync()
        {
            using (var admin = service!.CreateClient(AdminKey))
            {
                var created = await admin.PostAsJsonAsync("/api/v1/admin/workspaces", new { name = "Dashboard", timezone = "UTC" }, ApiFactory.Json);
                Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
                ApiKey = (await created.Json()).GetProperty("apiKey").GetString()!;
            }
            using var client = service.CreateClient(ApiKey);
            DateTime Noon(int daysAgo) => today.AddDays(-daysAgo).AddHours(12);
            await client.IngestAsync("store", new[]
            {
                Api.Order("S1", "#1001", 100m, date: Noon(4)),
                Api.Order("S2", "#1002", 150m, date: Noon(4)),   // missing in Keap
                Api.Order("S3", "#1003", 80m, date: Noon(3)),
                Api.Order("S4", "#1004", 120m, date: Noon(3)),   // Keap has 100.00
                Api.Order("S5", "#1005", 30m, date: Noon(3)),    // missing in Keap
                Api.Order("S6", "#1006", 60m, date: Noon(2)),
                Api.Order("S7", "#1007", 45m, date: Noon(2)),    // missing in Keap
                Api.Order("S8", "#1008", 25m, date: Noon(1)),
            });
            await client.IngestAsync("keap", new[]
            {
                Api.Order("K1", "Shopify Order #1001", 100m, "PAID", date: Noon(4)),
                Api.Order("K3", "Shopify Order #1003", 80m, "PAID", date: Noon(3)),
                Api.Order("K4", "Shopify Order #1004", 100m, "PAID", date: Noon(3)),
                Api.Order("K6", "Shopify Order #1006", 60m, "PAID", date: Noon(2)),
                Api.Order("K8", "Shopify Order #1008", 25m, "PAID", date: Noon(1)),
            });
            Run = await client.RunAsync(new { from = today.AddDays(-7), label = "dashboard" });

            Assert.True(Run.GetProperty("status").GetString() == "succeeded", $"The seeded run did not succeed: {Run}");
            Assert.Equal(4, Run.GetProperty("discrepancies").GetInt32());
            Assert.Equal(3, Run.GetProperty("byCategory").GetProperty("missing_in_keap").GetInt32());
            Assert.Equal(1, Run.GetProperty("byCategory").GetProperty("amount_mismatch").GetInt32());
            Assert.Equal(245m, Run.GetProperty("impact").GetDecimal());
        }

        public async Task DisposeAsync()
        {
            if (service is not null)
                await service.DisposeAsync();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                File.Delete(databasePath + suffix);
        }
    }
}
