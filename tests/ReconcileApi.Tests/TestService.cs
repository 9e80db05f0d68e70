using System.Net.Http.Json;

namespace ReconcileApi.Tests;

/// <summary>
/// The real service as a child process (<see cref="ServiceProcess"/>) on a fresh SQLite file of its own, in the Testing
/// environment with the tests' admin key and one worker; the file and its log go when it is disposed.
/// </summary>
public sealed class TestService : IAsyncDisposable
{
    readonly string database;

    TestService(ServiceProcess process, string database) => (Process, this.database) = (process, database);

    public ServiceProcess Process { get; }

    public Uri BaseAddress => Process.BaseAddress;

    public string Log => Process.Log;

    /// <param name="settings">Configuration beside (or instead of) the defaults, as environment variables.</param>
    public static async Task<TestService> StartAsync(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        var database = Path.Combine(Path.GetTempPath(), "reconcile-tests", $"{name}-{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["ConnectionStrings__Reconcile"] = $"Data Source={database}",
            ["Auth__AdminKey"] = ApiFactory.AdminKey,
            ["Jobs__WorkerCount"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;
        try
        {
            return new TestService(await ServiceProcess.StartAsync(name, environment), database);
        }
        catch
        {
            Delete(database);
            throw;
        }
    }

    /// <summary>A new workspace's API key (created through the admin API).</summary>
    public async Task<string> CreateWorkspaceAsync(string name, string timezone = "UTC")
    {
        using var admin = Process.CreateClient(ApiFactory.AdminKey);
        var created = await admin.PostAsJsonAsync("/api/v1/admin/workspaces", new { name, timezone });
        return (await created.Json()).GetProperty("apiKey").GetString()!;
    }

    public HttpClient CreateClient(string? key = null) => Process.CreateClient(key);

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Delete(database);
    }

    static void Delete(string database)
    {
        foreach (var file in new[] { database, database + "-wal", database + "-shm" })
            File.Delete(file);
    }
}
