using System.Diagnostics;
using Xunit.Abstractions;

namespace ReconcileApi.Tests;

/// <summary>
/// C# clients generated from the committed contract drive the flow against the real service: Kiota's and NSwag's
/// (System.Text.Json flavour), each pinned in .config/dotnet-tools.json, generate while their project under
/// tests/contract-tools builds (into its obj/, never committed; a warning of Kiota's about the contract fails that
/// build), and the flow (the project's Program.cs) runs against the service as a child process on a fresh SQLite file,
/// checking at every step what the contract promises. Tools and packages come from NuGet by <c>dotnet tool restore</c>
/// and the build's restore. Nothing skips.
/// </summary>
public sealed class GeneratedClientTests(ITestOutputHelper output)
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

    [Theory]
    [InlineData("kiota-client", "KiotaFlow")]
    [InlineData("nswag-client", "NSwagFlow")]
    public async Task GeneratedClient_DrivesTheFlow_AgainstTheService(string folder, string flow)
    {
        var root = ContractTests.RepositoryRoot();
        var project = Path.Combine(root, "tests", "contract-tools", folder);
        var dotnet = ServiceProcess.DotnetHost();
        // One build of a client at a time: test runs of the same checkout may overlap, and both restore the same tools.
        await using (await SystemTools.LockAsync(Path.Combine(Path.GetTempPath(), "reconcile-generated-client.lock"), RestoreTimeout))
        {
            await RunStepAsync("dotnet tool restore", dotnet, ["tool", "restore"], root, RestoreTimeout);
            await RunStepAsync("generate the client and build the flow", dotnet,
                ["build", project, "--configuration", "Debug", "--disable-build-servers", "--nologo", "-clp:ErrorsOnly;Summary"], root, RestoreTimeout);
        }

        await using var service = await TestService.StartAsync(folder);
        var key = await service.CreateWorkspaceAsync(flow);
        var watch = Stopwatch.StartNew();
        var (exitCode, text, errors) = await SystemTools.RunAsync(dotnet,
            [Path.Combine(project, "bin", "Debug", "net10.0", flow + ".dll"), service.BaseAddress.ToString().TrimEnd('/'), key], FlowTimeout, Quiet, project);
        output.WriteLine($"the flow: exit {exitCode} in {watch.Elapsed.TotalSeconds:F1} s\n{text}{errors}");
        Assert.True(exitCode == 0 && text.Contains("ALL OK", StringComparison.Ordinal),
            $"The {flow} client's flow failed (exit {exitCode}):\n{text}\n{errors}\n{service.Log}");
    }

    async Task RunStepAsync(string what, string file, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        var (exitCode, text, errors) = await SystemTools.RunAsync(file, arguments, timeout, Quiet, workingDirectory);
        output.WriteLine($"{what}: exit {exitCode} in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(exitCode == 0, $"{what} failed (exit {exitCode}):\n{SystemTools.Tail(text, 60)}\n{SystemTools.Tail(errors, 60)}");
    }
}
