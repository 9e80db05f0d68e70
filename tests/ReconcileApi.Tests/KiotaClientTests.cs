using System.Diagnostics;
using System.Net.Http.Json;
using Xunit.Abstractions;

namespace ReconcileApi.Tests;

/// <summary>
/// A C# client generated from the committed contract drives the whole flow against the real service: the Kiota pinned in
/// .config/dotnet-tools.json generates it while tests/contract-tools/kiota-client builds (into its obj/, never committed;
/// a warning of Kiota's about the contract fails that build), and the flow (its Program.cs) runs against the service as
/// a child process on a fresh SQLite file, checking at every step what the contract promises. Tools and packages come
/// from NuGet by <c>dotnet tool restore</c> and the build's restore. Nothing skips.
/// </summary>
public sealed class KiotaClientTests(ITestOutputHelper output)
{
    static readonly TimeSpan RestoreTimeout = TimeSpan.FromMinutes(5);
    static readonly TimeSpan FlowTimeout = TimeSpan.FromMinutes(2);

    /// <summary>No telemetry, banners or build servers: a build server would outlive the test holding its output pipes.</summary>
    static readonly Dictionary<string, string> Quiet = new()
    {
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        ["MSBUILDDISABLENODEREUSE"] = "1",
    };

    static string Project => Path.Combine(ContractTests.RepositoryRoot(), "tests", "contract-tools", "kiota-client");

    [Fact]
    public async Task GeneratedKiotaClient_DrivesTheWholeFlow_AgainstTheService()
    {
        var root = ContractTests.RepositoryRoot();
        var dotnet = ServiceProcess.DotnetHost();
        // One build of the client at a time: test runs of the same checkout may overlap.
        await using (await SystemTools.LockAsync(Path.Combine(Path.GetTempPath(), "reconcile-kiota-client.lock"), RestoreTimeout))
        {
            await RunStepAsync("dotnet tool restore", dotnet, ["tool", "restore"], root, RestoreTimeout);
            await RunStepAsync("generate the client and build the flow", dotnet,
                ["build", Project, "--configuration", "Debug", "--disable-build-servers", "--nologo", "-clp:ErrorsOnly;Summary"], root, RestoreTimeout);
        }

        var database = Path.Combine(Path.GetTempPath(), "reconcile-tests", $"kiota-{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        try
        {
            await using var service = await ServiceProcess.StartAsync("kiota", new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Testing",
                ["ConnectionStrings__Reconcile"] = $"Data Source={database}",
                ["Auth__AdminKey"] = ApiFactory.AdminKey,
                ["Jobs__WorkerCount"] = "1",
            });
            string key;
            using (var admin = service.CreateClient(ApiFactory.AdminKey))
            {
                var created = await admin.PostAsJsonAsync("/api/v1/admin/workspaces", new { name = "Kiota", timezone = "UTC" });
                key = (await created.Json()).GetProperty("apiKey").GetString()!;
            }

            var watch = Stopwatch.StartNew();
            var (exitCode, text, errors) = await SystemTools.RunAsync(dotnet,
                [Path.Combine(Project, "bin", "Debug", "net10.0", "KiotaFlow.dll"), service.BaseAddress.ToString().TrimEnd('/'), key], FlowTimeout, Quiet, Project);
            output.WriteLine($"the flow: exit {exitCode} in {watch.Elapsed.TotalSeconds:F1} s\n{text}{errors}");
            Assert.True(exitCode == 0 && text.Contains("ALL OK", StringComparison.Ordinal),
                $"The Kiota client's flow failed (exit {exitCode}):\n{text}\n{errors}\n{service.Log}");
        }
        finally
        {
            foreach (var file in new[] { database, database + "-wal", database + "-shm" })
                File.Delete(file);
        }
    }

    async Task RunStepAsync(string what, string file, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        var (exitCode, text, errors) = await SystemTools.RunAsync(file, arguments, timeout, Quiet, workingDirectory);
        output.WriteLine($"{what}: exit {exitCode} in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(exitCode == 0, $"{what} failed (exit {exitCode}):\n{SystemTools.Tail(text, 60)}\n{SystemTools.Tail(errors, 60)}");
    }
}
