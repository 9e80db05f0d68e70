using System.Net;
using System.Text.Json.Nodes;

namespace ReconcileApi.Tests;

/// <summary>
/// The contract's request examples work together: sent in order as the Swagger UI sends them (ingest the example
/// orders, start the example run, list its findings, resolve one with the example resolution), they find something
/// and the resolution is a valid transition for the finding's state.
/// </summary>
public sealed class ExamplesTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task RequestExamples_TriedInOrder_FindAndResolveADiscrepancy()
    {
        using var admin = factory.CreateAdminClient();
        var document = JsonNode.Parse(await (await admin.GetAsync("/swagger/v1/swagger.json")).Content.ReadAsStringAsync())!;
        string Example(string path, string media = "application/json") =>
            document["paths"]![path]!["post"]!["requestBody"]!["content"]![media]!["example"]!.ToJsonString();

        using var ws = await factory.CreateWorkspaceAsync();
        var ingested = await ws.Http.PostAsync("/api/v1/sources/store/orders", Api.JsonBody(Example("/api/v1/sources/{source}/orders")));
        Assert.Equal(HttpStatusCode.Created, ingested.StatusCode);
        Assert.Equal(1, (await ingested.Json()).GetProperty("inserted").GetInt32());

        var started = await ws.Http.PostAsync("/api/v1/runs", Api.JsonBody(Example("/api/v1/runs")));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var run = await ws.Http.WaitForRunAsync(started.Headers.Location!.ToString());
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(1, run.GetProperty("storeOrders").GetInt32());
        Assert.True(run.GetProperty("discrepancies").GetInt32() > 0, $"The example run over the example orders found nothing: {run}");

        var finding = Assert.Single((await (await ws.Http.GetAsync($"/api/v1/runs/{run.GetProperty("id").GetString()}/discrepancies")).Json())
            .GetProperty("items").EnumerateArray());
        Assert.Equal("1001", finding.GetProperty("orderKey").GetString());
        var resolved = await ws.Http.PostAsync($"/api/v1/discrepancies/{finding.GetProperty("id").GetInt64()}/resolution",
            Api.JsonBody(Example("/api/v1/discrepancies/{id}/resolution")));
        Assert.True(resolved.StatusCode == HttpStatusCode.OK, await resolved.Content.ReadAsStringAsync());
        Assert.Equal("resolved", (await resolved.Json()).GetProperty("state").GetString());

        // The CSV example is the same order: sent again it changes nothing a run would see.
        var csv = await ws.Http.PostAsync("/api/v1/sources/store/orders", Api.JsonBody(Example("/api/v1/sources/{source}/orders", "text/csv"), "text/csv"));
        Assert.Equal(HttpStatusCode.Created, csv.StatusCode);
    }
}
