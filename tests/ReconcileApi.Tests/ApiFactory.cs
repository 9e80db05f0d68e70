using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ReconcileApi.Tests;

/// <summary>
/// The real host over HTTP: a SQLite file of its own, migrations applied at start, a real Hangfire
/// server. Tests isolate themselves by creating a workspace each. The service's clock is a
/// <see cref="FakeTimeProvider"/> that starts at <see cref="Start"/> (and ticks a millisecond per reading,
/// so that events keep their order): test data are dated relative to it, so a test reads the same any day.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789abcdefghij";
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>"Now" for the service when a test host starts.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 16, 12, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };

    public string DatabasePath { get; } = Path.Combine(Path.GetTempPath(), "reconcile-tests", $"{Guid.NewGuid():N}.db");

    protected virtual string Environment => "Testing";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        builder.UseEnvironment(Environment);
        builder.UseSetting("ConnectionStrings:Reconcile", $"Data Source={DatabasePath}");
        builder.UseSetting("Auth:AdminKey", AdminKey);
        builder.UseSetting("Jobs:WorkerCount", "2");
        // A retrying execution strategy refuses transactions begun outside it, as SQL Server's does: the suite proves the
        // SQL Server path wraps every transaction (README, "Provider-specific code").
        builder.UseSetting("Database:RetryOnFailure", "true");
        // Tests send hundreds of requests a minute with one key; RateLimitTests holds the limiter to its number.
        builder.UseSetting("RateLimit:PermitsPerMinute", "1000000");
        // Webhook tests receive on 127.0.0.1; OutboundUrlTests holds the service to the public-internet rule.
        builder.UseSetting("Webhooks:AllowPrivateTargets", "true");
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return client;
    }

    /// <summary>Runs SQL on the test database's file directly: DDL such as a trigger that plays a concurrent writer or a failure.</summary>
    public async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Waits until the side_silent checks that followed the workspace's ingests have run (ingests coalesce into one or more).</summary>
    public async Task WaitForSilenceChecksAsync(Guid workspaceId)
    {
        var monitoring = Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
        bool Ours(Hangfire.Common.Job? job) => job?.Type == typeof(ReconcileApi.Features.Alerts.SilenceCheckJob) && Equals(job.Args[0], workspaceId);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!monitoring.SucceededJobs(0, 1000).Any(j => Ours(j.Value.Job))
               || monitoring.EnqueuedJobs("default", 0, 1000).Any(j => Ours(j.Value.Job))
               || monitoring.ProcessingJobs(0, 1000).Any(j => Ours(j.Value.Job)))
        {
            Assert.True(DateTime.UtcNow < deadline, "The side_silent check never ran.");
            await Task.Delay(25);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(DatabasePath + suffix);
    }
}

public static class Workspaces
{
    /// <summary>A new workspace on <paramref name="host"/> (the factory, or a host derived from it) and a client authenticated with its key.</summary>
    public static async Task<WorkspaceClient> CreateWorkspaceAsync(this WebApplicationFactory<Program> host, string? timezone = null)
    {
        using var admin = host.CreateClient();
        admin.DefaultRequestHeaders.Add("X-Api-Key", ApiFactory.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/admin/workspaces", new { name = "Test " + Guid.NewGuid().ToString("N")[..6], timezone });
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("apiKey").GetString()!;
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return new WorkspaceClient(client, created.GetProperty("id").GetGuid(), key);
    }
}

public sealed record WorkspaceClient(HttpClient Http, Guid WorkspaceId, string ApiKey) : IDisposable
{
    public void Dispose() => Http.Dispose();

    public static AuthenticationHeaderValue Basic(string key) =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(key + ":")));
}
