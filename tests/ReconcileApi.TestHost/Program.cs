using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using ReconcileApi.Features.Orders;
using ReconcileApi.Features.Runs;

namespace ReconcileApi.TestHost;

/// <summary>
/// The service as a process of its own with a test's seams (see tests/ReconcileApi.Tests/CrashRecoveryTests.cs):
/// the real host on Kestrel, with its checkpoints replaced so that a run holds before matching for
/// RECONCILE_TEST_PAUSE_MS milliseconds (and with its results written, uncommitted, for RECONCILE_TEST_SAVE_PAUSE_MS) and an ingest holds after its commit for RECONCILE_TEST_INGEST_PAUSE_MS. Usage: <c>ReconcileApi.TestHost --urls http://127.0.0.1:PORT</c>.
/// </summary>
public static class TestHostProgram
{
    public static async Task Main(string[] args)
    {
        var url = new Uri(args[Array.IndexOf(args, "--urls") + 1]);
        var pause = TimeSpan.FromMilliseconds(int.Parse(Environment.GetEnvironmentVariable("RECONCILE_TEST_PAUSE_MS") ?? "0"));
        var savePause = TimeSpan.FromMilliseconds(int.Parse(Environment.GetEnvironmentVariable("RECONCILE_TEST_SAVE_PAUSE_MS") ?? "0"));
        var ingestPause = TimeSpan.FromMilliseconds(int.Parse(Environment.GetEnvironmentVariable("RECONCILE_TEST_INGEST_PAUSE_MS") ?? "0"));
        await using var factory = new WebApplicationFactory<global::Program>().WithWebHostBuilder(b => b
            .UseEnvironment(Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Testing")
            .UseContentRoot(AppContext.BaseDirectory)
            .UseSetting(WebHostDefaults.ServerUrlsKey, url.ToString().TrimEnd('/'))
            .ConfigureTestServices(services => services
                .AddSingleton<RunCheckpoints>(new PausingCheckpoints(pause, savePause))
                .AddSingleton<IngestCheckpoints>(new PausingIngestCheckpoints(ingestPause))));
        factory.UseKestrel();
        factory.StartServer();
        Console.WriteLine($"Test host listening on {url}");
        await Task.Delay(Timeout.Infinite);
    }
}
