using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static ReconcileApi.Tests.Api;

namespace ReconcileApi.Tests;

/// <summary>
/// The ninth probe, as an outside tester: the charset parameter in the forms RFC 9110 allows, conditional writes
/// (If-None-Match on every operation that changes state), headers a tool sends twice, and dates at the calendar's edges.
/// </summary>
public sealed class ProbeNineTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    /// <summary>
    /// UTF-8 spelled as the service documents it reads (<c>utf8</c>), quoted as RFC 9110 allows (<c>charset="utf-8"</c>), or
    /// declared as its ASCII subset: the first two were a 500 on every operation but ingest (the framework's JSON binding
    /// looked the charset up as an encoding name), the third stored each non-ASCII letter as '?'. Each body is read as UTF-8,
    /// as ingest always read it.
    /// </summary>
    [Theory]
    [InlineData("application/json; charset=utf8")]
    [InlineData("application/json; charset=UTF8")]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("application/json;charset=\"UTF-8\"")]
    [InlineData("application/json; charset=us-ascii")]
    [InlineData("application/json; charset=\"ascii\"")]
    public async Task ABodyInUtf8_DeclaredInAnyFormOfItsName_IsReadAsUtf8_OnEveryOperation(string contentType)
    {
        using var ws = await factory.CreateWorkspaceAsync();
        HttpContent Body(string json)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            return content;
        }

        var run = await ws.Http.PostAsync("/api/v1/runs", Body("""{"label":"Café ✓ Zürich"}"""));
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        Assert.Equal("Café ✓ Zürich", (await run.Json()).GetProperty("label").GetString());

        var schedule = await ws.Http.PostAsync("/api/v1/schedules", Body("""{"name":"Nuit ✓","cron":"30 2 * * *"}"""));
        Assert.Equal(HttpStatusCode.Created, schedule.StatusCode);
        var id = (await schedule.Json()).GetProperty("id").GetString();
        Assert.Equal("Nuit ✓", (await (await ws.Http.GetAsync($"/api/v1/schedules/{id}")).Json()).GetProperty("name").GetString());

        var order = Order("U1");
        order["customerName"] = "José ✓";
        var orders = await ws.Http.PostAsync("/api/v1/sources/store/orders", Body($"[{JsonSerializer.Serialize(order, ApiFactory.Json)}]"));
        Assert.Equal(HttpStatusCode.Created, orders.StatusCode);
        var stored = await (await ws.Http.GetAsync("/api/v1/sources/store/orders/U1")).Json();
        Assert.Equal("José ✓", stored.GetProperty("order").GetProperty("customerName").GetString());
    }
}
