using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

public sealed class BadInputTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Ingest_Returns400WithLineAndPosition_WhenJsonIsMalformed()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody("[\n  {\"orderId\": \"1\", \"total\": 10,}\n  {\"orderId\": \"2\"}\n]"));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "line 3");
        var problem = await response.Json();
        Assert.Equal(3, problem.GetProperty("line").GetInt32());
        Assert.True(problem.GetProperty("position").GetInt32() > 0);
    }

    [Fact]
    public async Task Ingest_Returns415_WhenContentTypeIsNotJson()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody("[]", "text/plain"));
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "text/plain");
    }

    [Fact]
    public async Task Ingest_Returns404_WhenSourceIsUnknown()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync("/api/v1/sources/amazon/orders", JsonBody("[]"));
        await response.AssertProblemAsync(HttpStatusCode.NotFound, "amazon");
    }

    [Fact]
    public async Task Ingest_Returns400_WhenFormatIsUnknown()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders?format=magento", JsonBody("[]"));
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "magento");
    }

    [Fact]
    public async Task Ingest_Returns413_WhenBodyIsOverTheLimit()
    {
        using var small = factory.WithWebHostBuilder(b => b.UseSetting("Limits:MaxRequestBodyBytes", "1000"));
        using var admin = small.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", ApiFactory.AdminKey);
        var created = await (await admin.PostAsJsonAsync("/api/v1/admin/workspaces", new { name = "small" })).Json();
        using var client = small.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", created.GetProperty("apiKey").GetString());

        var body = "[" + string.Join(",", Enumerable.Range(0, 100).Select(i => $"{{\"orderId\":\"{i}\",\"total\":1}}")) + "]";
        var response = await client.PostAsync("/api/v1/sources/store/orders", JsonBody(body));

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "limit");
    }

    [Fact]
    public async Task Ingest_Returns413_WhenOneRequestHoldsMoreThan50000Orders()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var body = new StringBuilder("[");
        for (var i = 0; i <= 50_000; i++)
            body.Append(i == 0 ? "{}" : ",{}");
        body.Append(']');
        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody(body.ToString()));
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "50000");
    }

    [Fact]
    public async Task Ingest_StoresValidOrders_AndListsEachRejectedOneInTheReceiptAndTheBatch()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var json = """
            [
              {"orderId": "ok-1", "orderNumber": "#1", "total": "10.50"},
              {"orderNumber": "#2", "total": "12.00"},
              {"orderId": "bad-3", "orderNumber": "#3", "total": "twelve"},
              {"orderId": "ok-4", "orderNumber": "#4", "total": 7}
            ]
            """;
        var response = await ws.Http.PostAsync("/api/v1/sources/store/orders", JsonBody(json));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = await response.Json();
        Assert.Equal(4, receipt.GetProperty("received").GetInt32());
        Assert.Equal(2, receipt.GetProperty("inserted").GetInt32());
        Assert.Equal(2, receipt.GetProperty("rejected").GetInt32());
        var errors = receipt.GetProperty("errors").EnumerateArray().ToList();
        var missingId = Assert.Single(errors, e => e.GetProperty("index").GetInt32() == 1);
        Assert.Equal("orderId", missingId.GetProperty("field").GetString());
        var badTotal = Assert.Single(errors, e => e.GetProperty("index").GetInt32() == 2);
        Assert.Equal("total", badTotal.GetProperty("field").GetString());
        Assert.Equal("bad-3", badTotal.GetProperty("orderId").GetString());
        Assert.Contains("twelve", badTotal.GetProperty("message").GetString());

        Assert.Equal(HttpStatusCode.OK, (await ws.Http.GetAsync("/api/v1/sources/store/orders/ok-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.GetAsync("/api/v1/sources/store/orders/ok-4")).StatusCode);
        await (await ws.Http.GetAsync("/api/v1/sources/store/orders/bad-3")).AssertProblemAsync(HttpStatusCode.NotFound);

        var batch = await (await ws.Http.GetAsync(response.Headers.Location)).Json();
        var kept = batch.GetProperty("rejectedRecords").EnumerateArray().ToList();
        Assert.Equal(2, kept.Count);
        Assert.Equal("twelve", kept[1].GetProperty("total").GetString());
        Assert.Equal("#2", kept[0].GetProperty("orderNumber").GetString());
    }

    [Fact]
    public async Task Resolution_Returns400NamingTheField_WhenActionIsUnknown()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", date: DefaultDate.AddDays(-1)), Order("S2", date: DefaultDate) });
        await ws.Http.IngestAsync("keap", new[] { Order("K2", "#S2", date: DefaultDate) });
        await ws.Http.RunAsync();
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).GetProperty("id").GetInt64();

        var response = await ws.Http.PostAsJsonAsync($"/api/v1/discrepancies/{id}/resolution", new { action = "delete_everything", resolvedBy = "me" });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var problem = await response.Json();
        Assert.Contains("delete_everything", problem.GetProperty("errors").GetProperty("action")[0].GetString());
    }

    [Fact]
    public async Task Resolution_Returns409WithCurrentState_WhenTransitionIsInvalid_And412_WhenETagIsStale()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await ws.Http.IngestAsync("store", new[] { Order("S1", date: DefaultDate.AddDays(-1)), Order("S2", date: DefaultDate) });
        await ws.Http.IngestAsync("keap", new[] { Order("K2", "#S2", date: DefaultDate) });
        await ws.Http.RunAsync();
        var id = Assert.Single(await ws.Http.DiscrepanciesAsync()).GetProperty("id").GetInt64();
        var read = await ws.Http.GetAsync($"/api/v1/discrepancies/{id}");
        var etag = read.Headers.ETag!.Tag;

        var reopen = await ws.Http.PostAsJsonAsync($"/api/v1/discrepancies/{id}/resolution", new { action = "reopen", resolvedBy = "me" });
        Assert.Equal(HttpStatusCode.OK, reopen.StatusCode); // already open: a no-op

        var ack = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/discrepancies/{id}/resolution") { Content = JsonContent.Create(new { action = "acknowledge", resolvedBy = "me" }) };
        ack.Headers.TryAddWithoutValidation("If-Match", etag);
        Assert.Equal(HttpStatusCode.OK, (await ws.Http.SendAsync(ack)).StatusCode);

        var reopenAcknowledged = await ws.Http.PostAsJsonAsync($"/api/v1/discrepancies/{id}/resolution", new { action = "reopen", resolvedBy = "me" });
        await reopenAcknowledged.AssertProblemAsync(HttpStatusCode.Conflict, "acknowledged");
        Assert.Equal("acknowledged", (await reopenAcknowledged.Json()).GetProperty("currentState").GetString());

        var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/discrepancies/{id}/resolution") { Content = JsonContent.Create(new { action = "resynced", resolvedBy = "me" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        await (await ws.Http.SendAsync(stale)).AssertProblemAsync(HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task StartRun_Returns400WithPosition_WhenJsonIsMalformed_And415_ForOtherContentTypes()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await (await ws.Http.PostAsync("/api/v1/runs", JsonBody("{\"from\": 12"))).AssertProblemAsync(HttpStatusCode.BadRequest, "position");
        await (await ws.Http.PostAsync("/api/v1/runs", JsonBody("{}", "text/plain"))).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task StartRun_Returns400ByField_WhenWindowIsBackwards()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        var response = await ws.Http.PostAsJsonAsync("/api/v1/runs", new { from = "2026-10-01T00:00:00Z", to = "2026-09-01T00:00:00Z" });
        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty("to", out _));
    }

    [Fact]
    public async Task UnknownRoute_Returns404Problem()
    {
        using var ws = await factory.CreateWorkspaceAsync();
        await (await ws.Http.GetAsync("/api/v1/nothing-here")).AssertProblemAsync(HttpStatusCode.NotFound, "/api/v1/nothing-here");
    }

    [Fact]
    public async Task UnexpectedException_Returns500Problem_WithoutStackTrace()
    {
        using var failing = factory.WithWebHostBuilder(b => b.ConfigureServices(s =>
            s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new ThrowingStartupFilter())));
        using var client = failing.CreateClient();

        var response = await client.GetAsync("/test/boom");

        await response.AssertProblemAsync(HttpStatusCode.InternalServerError, "traceId");
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret-internal-detail", body);
        Assert.DoesNotContain(" at ", body);
    }

    sealed class ThrowingStartupFilter : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use(_ => context => context.Request.Path == "/test/boom"
                ? throw new InvalidOperationException("secret-internal-detail")
                : Task.CompletedTask);
        };
    }
}
