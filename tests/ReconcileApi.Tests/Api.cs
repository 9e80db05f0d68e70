using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ReconcileApi.Tests;

/// <summary>Small helpers for calling the API the way a caller would.</summary>
public static class Api
{
    public static async Task<JsonElement> Json(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> IngestAsync(this HttpClient client, string source, object orders)
    {
        var response = await client.PostAsJsonAsync($"/api/v1/sources/{source}/orders", orders, ApiFactory.Json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Json();
    }

    public static StringContent JsonBody(string json, string contentType = "application/json") =>
        new(json, Encoding.UTF8, contentType);

    /// <summary>Starts a run and polls it until it is no longer queued or running.</summary>
    public static async Task<JsonElement> RunAsync(this HttpClient client, object? request = null)
    {
        var response = await client.PostAsJsonAsync("/api/v1/runs", request ?? new { }, ApiFactory.Json);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await client.WaitForRunAsync(response.Headers.Location!.ToString());
    }

    public static async Task<JsonElement> WaitForRunAsync(this HttpClient client, string location, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var run = await (await client.GetAsync(location)).Json();
            var status = run.GetProperty("status").GetString();
            if (status is not ("queued" or "running"))
                return run;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Run {location} still {status}: {run}");
            await Task.Delay(50);
        }
    }

    public static async Task<List<JsonElement>> DiscrepanciesAsync(this HttpClient client, string query = "")
    {
        var page = await (await client.GetAsync("/api/v1/discrepancies" + query)).Json();
        return page.GetProperty("items").EnumerateArray().ToList();
    }

    public static async Task AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string? detailContains = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        if (detailContains is not null)
            Assert.Contains(detailContains, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Noon two days before the service's clock starts.</summary>
    public static readonly DateTime DefaultDate = ApiFactory.Start.UtcDateTime.Date.AddDays(-2).AddHours(12);

    /// <summary>A canonical order with sensible defaults; override what the test is about.</summary>
    public static Dictionary<string, object?> Order(string orderId, string? orderNumber = null, decimal total = 100m,
        string status = "paid", string? email = "buyer@example.com", DateTime? date = null)
    {
        return new Dictionary<string, object?>
        {
            ["orderId"] = orderId,
            ["orderNumber"] = orderNumber ?? "#" + orderId,
            ["customerEmail"] = email,
            ["orderDate"] = (date ?? DefaultDate).ToString("O"),
            ["currency"] = "USD",
            ["total"] = total.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["status"] = status,
            ["lines"] = new[] { new { sku = "SKU-1", name = "Thing", quantity = 1, unitPrice = 10m } },
        };
    }
}
