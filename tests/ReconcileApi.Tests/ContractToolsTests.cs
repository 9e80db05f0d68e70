using System.Diagnostics;
using System.Security.Cryptography;
using Xunit.Abstractions;

namespace ReconcileApi.Tests;

/// <summary>
/// The committed contract as others read it, with the tools pinned in tests/contract-tools/package-lock.json:
/// Spectral (<c>spectral:oas</c>) and Redocly (recommended rules) must report no error, and the types
/// openapi-typescript generates from it must carry a client's whole flow (client/flow.ts) through
/// <c>tsc --strict</c> without a cast — while the mistakes in client/misuse.ts stay compile errors.
/// <c>npm ci</c> runs once per lock file (a marker in node_modules says which); Node.js comes from PATH, or is
/// installed once by apt-get when the tests run as root on Debian (CI). Nothing skips.
/// </summary>
public sealed class ContractToolsTests(ContractToolsTests.Tools tools, ITestOutputHelper output) : IClassFixture<ContractToolsTests.Tools>
{
    [Fact]
    public Task Spectral_ReportsNoError_OnTheCommittedContract() => tools.RunScriptAsync("lint:spectral", output);

    [Fact]
    public Task Redocly_ReportsNoError_OnTheCommittedContract() => tools.RunScriptAsync("lint:redocly", output);

    [Fact]
    public async Task GeneratedTypeScriptClient_CompilesTheFlow_WithStrictTsc()
    {
        await tools.RunScriptAsync("client:generate", output);
        await tools.RunScriptAsync("client:check", output);
    }

    /// <summary>The linters must be able to fail: Swashbuckle's nullable reference (nullable without a type) is an error to both.</summary>
    [Fact]
    public async Task Linters_FlagABadDocument()
    {
        var bad = Path.Combine(Path.GetTempPath(), $"reconcile-bad-contract-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(bad, """
            {
              "openapi": "3.0.4",
              "info": { "title": "Bad", "version": "1" },
              "servers": [{ "url": "/" }],
              "paths": {
                "/things": {
                  "get": {
                    "operationId": "ListThings", "summary": "List", "description": "List", "tags": ["Things"],
                    "responses": { "200": { "description": "OK", "content": { "application/json": {
                      "schema": { "$ref": "#/components/schemas/Thing" }, "example": { "name": 1 } } } } }
                  }
                }
              },
              "components": { "schemas": {
                "Thing": { "type": "object", "properties": { "name": { "type": "string" }, "colour": { "allOf": [{ "$ref": "#/components/schemas/Colour" }], "nullable": true } } },
                "Colour": { "type": "string", "enum": ["red"] }
              } }
            }
            """);
        try
        {
            var spectral = await tools.RunAsync("node_modules/.bin/spectral", ["lint", "--ruleset", ".spectral.yaml", bad]);
            Assert.True(spectral.ExitCode != 0, $"Spectral passed a bad document:\n{spectral.Output}");
            var redocly = await tools.RunAsync("node_modules/.bin/redocly", ["lint", "--config", "redocly.yaml", bad]);
            Assert.True(redocly.ExitCode != 0, $"Redocly passed a bad document:\n{redocly.Output}");
        }
        finally
        {
            File.Delete(bad);
        }
    }

    /// <summary>Node.js and the pinned packages, made ready once for the class.</summary>
    public sealed class Tools : IAsyncLifetime
    {
        const string InstallNode = "apt-get update && apt-get install -y --no-install-recommends nodejs npm";
        static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(15);
        static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

        /// <summary>No telemetry, update checks or colours: the tools run offline-friendly and print plain text.</summary>
        static readonly Dictionary<string, string> Quiet = new()
        {
            ["REDOCLY_TELEMETRY"] = "off",
            ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true",
            ["SCARF_ANALYTICS"] = "false",
            ["NO_UPDATE_NOTIFIER"] = "1",
            ["npm_config_update_notifier"] = "false",
            ["NO_COLOR"] = "1",
            ["FORCE_COLOR"] = "0",
        };

        public static string Folder => Path.Combine(ContractTests.RepositoryRoot(), "tests", "contract-tools");

        string npm = "";

        public async Task InitializeAsync()
        {
            if (SystemTools.FindOnPath("node") is null || SystemTools.FindOnPath("npm") is null)
            {
                await SystemTools.InstallWithAptAsync("npm", InstallNode, InstallTimeout, Console.WriteLine,
                    "the contract's lint and generated-client tests need Node.js 20 or later with npm (they do not skip)",
                    "elsewhere, install Node.js 20+ from https://nodejs.org");
            }
            npm = SystemTools.FindOnPath("npm") ?? throw new InvalidOperationException("npm is not on PATH after installing it.");
            await NpmCiOnceAsync();
        }

        public Task DisposeAsync() => Task.CompletedTask;

        /// <summary>
        /// <c>npm ci</c> unless node_modules was installed from this very lock file: the marker holds the lock's hash.
        /// One installer at a time (an exclusive lock file), since test runs of the same checkout may overlap.
        /// </summary>
        async Task NpmCiOnceAsync()
        {
            var wanted = Convert.ToHexStringLower(SHA256.HashData(
                [.. await File.ReadAllBytesAsync(Path.Combine(Folder, "package.json")), .. await File.ReadAllBytesAsync(Path.Combine(Folder, "package-lock.json"))]));
            var marker = Path.Combine(Folder, "node_modules", ".installed-from-lock");
            if (File.Exists(marker) && await File.ReadAllTextAsync(marker) == wanted)
                return;
            var deadline = DateTime.UtcNow + InstallTimeout;
            FileStream? held = null;
            while (held is null)
            {
                try
                {
                    held = new FileStream(Path.Combine(Folder, ".npm-ci.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1));
                }
            }
            await using (held)
            {
                if (File.Exists(marker) && await File.ReadAllTextAsync(marker) == wanted)
                    return;
                var watch = Stopwatch.StartNew();
                // --prefer-offline: packages already in npm's cache are not fetched again.
                var (exitCode, output, errors) = await SystemTools.RunAsync(npm, ["ci", "--prefer-offline", "--no-audit", "--no-fund"],
                    InstallTimeout, Quiet, Folder);
                if (exitCode != 0)
                    throw new InvalidOperationException($"npm ci in {Folder} failed (exit {exitCode}):\n{SystemTools.Tail(output)}\n{SystemTools.Tail(errors)}");
                await File.WriteAllTextAsync(marker, wanted);
                Console.WriteLine($"npm ci in {Folder}: {watch.Elapsed.TotalSeconds:F0} s");
            }
        }

        /// <summary>Runs a script of package.json; fails with everything the tool printed when it exits non-zero.</summary>
        public async Task RunScriptAsync(string script, ITestOutputHelper output)
        {
            var watch = Stopwatch.StartNew();
            var (exitCode, text) = await RunAsync(npm, ["run", "--silent", script]);
            output.WriteLine($"npm run {script}: exit {exitCode} in {watch.Elapsed.TotalSeconds:F1} s\n{text}");
            Assert.True(exitCode == 0, $"npm run {script} (in tests/contract-tools) failed with exit {exitCode}:\n{text}");
        }

        public async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments)
        {
            var (exitCode, output, errors) = await SystemTools.RunAsync(
                Path.IsPathRooted(file) ? file : Path.Combine(Folder, file), arguments, RunTimeout, Quiet, Folder);
            return (exitCode, (output + "\n" + errors).Trim());
        }
    }
}
