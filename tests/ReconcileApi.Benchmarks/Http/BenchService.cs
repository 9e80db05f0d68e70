using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using ReconcileApi.Tests;

namespace ReconcileApi.Benchmarks.Http;

/// <summary>The Release service as a child process on a fresh SQLite file, for the HTTP benchmarks.</summary>
public sealed class BenchService : IAsyncDisposable
{
    const string AdminKey = "bench-admin-key-0123456789abcdefghijkl";
    readonly DirectoryInfo folder;

    BenchService(DirectoryInfo folder, ServiceProcess process)
    {
        this.folder = folder;
        Process = process;
    }

    public ServiceProcess Process { get; }

    /// <param name="database">A SQLite file to start from (copied), e.g. one <see cref="BackupAsync"/> wrote; else an empty one.</param>
    public static async Task<BenchService> StartAsync(string name, int workers, IReadOnlyDictionary<string, string>? settings = null, string? database = null)
    {
        var folder = Directory.CreateTempSubdirectory("reconcile-bench-");
        if (database is not null)
            File.Copy(database, Path.Combine(folder.FullName, "bench.db"));
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Reconcile"] = $"Data Source={Path.Combine(folder.FullName, "bench.db")}",
            ["Auth__AdminKey"] = AdminKey,
            ["Jobs__WorkerCount"] = workers.ToString(),
            // The benchmarks measure throughput, not the per-key limit.
            ["RateLimit__PermitsPerMinute"] = "1000000",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__ReconcileApi"] = "Information",
            // The lifecycle's steps in a run's save (RunsBenchmark.PrintPhasesAsync prints them).
            [$"Logging__LogLevel__{typeof(Features.Discrepancies.DiscrepancyLifecycle).FullName}"] = "Debug",
            [$"Logging__LogLevel__{typeof(Features.Runs.ReconcileRunJob).FullName}"] = "Debug",
            [$"Logging__LogLevel__{typeof(Data.SqliteCheckpointer).FullName}"] = "Debug",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;
        var process = await ServiceProcess.StartAsync(name, environment);
        return new BenchService(folder, process);
    }

    /// <summary>A new workspace and a client with its key.</summary>
    public async Task<(HttpClient Client, string Key)> WorkspaceAsync()
    {
        using var admin = Process.CreateClient(AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/admin/workspaces", new { name = "bench" });
        response.EnsureSuccessStatusCode();
        var key = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("apiKey").GetString()!;
        var client = Process.CreateClient(key);
        client.Timeout = TimeSpan.FromMinutes(5);
        return (client, key);
    }

    /// <summary>A consistent copy of the service's database (SQLite's online backup) in <paramref name="file"/>.</summary>
    public async Task BackupAsync(string file)
    {
        await using var source = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder.FullName, "bench.db")}");
        await using var target = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False");
        await source.OpenAsync();
        await target.OpenAsync();
        source.BackupDatabase(target);
    }

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    /// <summary>
    /// How fast this machine hands out memory no process has touched lately: 256 MB mapped, one byte written per 4 KB
    /// page, timed. On bare metal the kernel zeroes pages at several GB/s; on this project's virtual machines the host
    /// backs a guest page only when it is first touched, and memory freed for a few seconds goes back to the host
    /// (free page reporting), so the rate swings from about 2,500 MB/s down to 100 MB/s — and a run that grows to
    /// 2.4 GB pays that, in the kernel, on its critical path. Printed beside the load average to read a figure by.
    /// </summary>
    public static string FreshMemory()
    {
        const int bytes = 256 << 20;
        // malloc maps an allocation this large afresh and unmaps it when freed.
        var memory = Marshal.AllocHGlobal(bytes);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; i < bytes; i += 4096)
                Marshal.WriteByte(memory, i, 1);
            return $"fresh memory {bytes / 1048576.0 / clock.Elapsed.TotalSeconds:N0} MB/s (first touch of 256 MB)";
        }
        finally
        {
            Marshal.FreeHGlobal(memory);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        // BENCH_KEEP_DATABASE=1 keeps the SQLite file to look into afterwards (sqlite3, EXPLAIN QUERY PLAN).
        if (Environment.GetEnvironmentVariable("BENCH_KEEP_DATABASE") == "1")
            Console.WriteLine($"  database kept: {folder.FullName}");
        else
            folder.Delete(recursive: true);
    }
}
