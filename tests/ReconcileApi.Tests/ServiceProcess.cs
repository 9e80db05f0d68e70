using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ReconcileApi.Tests;

// Shared with tests/ReconcileApi.Benchmarks (linked there), so it uses no test framework.

/// <summary>
/// The real service as a child process (<c>dotnet ReconcileApi.dll</c> from the test output), so a
/// test can kill it the way an operating system would. Its stdout and stderr are kept for failure
/// messages; disposing kills it if it still runs.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);
    const int MaxLogLines = 400;

    readonly Process process;
    readonly Queue<string> log = new();
    readonly string name;

    ServiceProcess(Process process, string name, Uri baseAddress)
    {
        this.process = process;
        this.name = name;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public bool HasExited => process.HasExited;

    public int Id => process.Id;

    /// <summary>CPU time the child has used so far, all threads.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>Of <see cref="CpuTime"/>, the time spent in the kernel on the child's behalf (system calls, page faults).</summary>
    public TimeSpan KernelTime
    {
        get
        {
            process.Refresh();
            return process.PrivilegedProcessorTime;
        }
    }

    /// <summary>The child's peak resident memory so far (VmHWM), in MB; Linux only.</summary>
    public double PeakMemoryMb =>
        File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] is var kb ? double.Parse(kb) / 1024 : 0;

    /// <summary>The last lines the child wrote, stdout and stderr interleaved.</summary>
    public string Log
    {
        get
        {
            lock (log)
                return $"--- {name} (pid {process.Id}) output, last {log.Count} lines ---\n" + string.Join('\n', log);
        }
    }

    /// <summary>
    /// Starts the service (<paramref name="assembly"/>: the real one, or the test host with its seams) on a
    /// free loopback port and waits until /health/live answers.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string name, IReadOnlyDictionary<string, string> environment, string assembly = "ReconcileApi.dll")
    {
        var directory = AppContext.BaseDirectory;
        var dll = Path.Combine(directory, assembly);
        if (!File.Exists(dll))
            throw new FileNotFoundException($"{dll} is missing; the project must reference the web project.");
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}");

        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { dll, "--urls", baseAddress.ToString().TrimEnd('/'), "--contentRoot", directory })
            start.ArgumentList.Add(argument);
        // What the test runner's own environment says about hosting must not leak into the child.
        foreach (var key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || key.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)
                || key.Contains("__", StringComparison.Ordinal))
                start.Environment.Remove(key);
        }
        foreach (var (key, value) in environment)
            start.Environment[key] = value;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(process, name, baseAddress);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data is null ? null : "[stderr] " + e.Data);
        if (!process.Start())
            throw new InvalidOperationException($"Could not start {start.FileName} {dll}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await service.WaitUntilLiveAsync();
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
        return service;
    }

    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>Kills the process and its children at once (SIGKILL on Unix): no shutdown, no flush.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }
        process.Dispose();
    }

    async Task WaitUntilLiveAsync()
    {
        using var client = CreateClient();
        client.Timeout = TimeSpan.FromSeconds(5);
        var deadline = DateTime.UtcNow + StartupTimeout;
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} during start-up.\n{Log}");
            try
            {
                using var response = await client.GetAsync("/health/live");
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{name} did not answer /health/live within {StartupTimeout.TotalSeconds} s.\n{Log}");
            await Task.Delay(100);
        }
    }

    void Append(string? line)
    {
        if (line is null)
            return;
        lock (log)
        {
            log.Enqueue(line);
            while (log.Count > MaxLogLines)
                log.Dequeue();
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The dotnet host that runs the tests (dotnet test sets DOTNET_HOST_PATH), else dotnet from PATH.</summary>
    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";
}
