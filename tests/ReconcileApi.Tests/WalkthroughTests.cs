using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace ReconcileApi.Tests;

/// <summary>
/// The README's "Five minutes with curl" is <c>scripts/walkthrough.sh</c>: the README block is the script's text between
/// its markers, and the script runs against the real service (a child process on a free port, a fresh SQLite file), so
/// every answer the README shows is the one the service gives today.
/// </summary>
public sealed partial class WalkthroughTests(ITestOutputHelper output)
{
    const string Begin = "# --- README walkthrough begins ---\n", End = "# --- README walkthrough ends ---\n";

    static string ScriptPath => Path.Combine(ContractTests.RepositoryRoot(), "scripts", "walkthrough.sh");

    /// <summary>The script's part between its markers: what the README must show.</summary>
    static string ScriptBlock()
    {
        var script = File.ReadAllText(ScriptPath).ReplaceLineEndings("\n");
        var start = script.IndexOf(Begin, StringComparison.Ordinal);
        var end = script.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{ScriptPath} lacks its marker lines.");
        return script[(start + Begin.Length)..end];
    }

    [Fact]
    public void ReadmeBlock_IsTheScript()
    {
        var readme = File.ReadAllText(Path.Combine(ContractTests.RepositoryRoot(), "README.md")).ReplaceLineEndings("\n");
        var section = readme.IndexOf("\n## Five minutes with curl\n", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no '## Five minutes with curl' section.");
        var start = readme.IndexOf("```bash\n", section, StringComparison.Ordinal) + "```bash\n".Length;
        var end = readme.IndexOf("```\n", start, StringComparison.Ordinal);
        Assert.Equal(ScriptBlock(), readme[start..end]);
    }

    [Fact]
    public async Task Script_AgainstTheRealService_AnswersWhatTheReadmeShows()
    {
        var folder = Directory.CreateTempSubdirectory("walkthrough-");
        try
        {
            await using var service = await ServiceProcess.StartAsync("walkthrough", new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["ConnectionStrings__Reconcile"] = $"Data Source={Path.Combine(folder.FullName, "reconcile.db")}",
                ["Jobs__WorkerCount"] = "2",
            });
            var (exit, stdout, stderr) = await RunAsync("bash", ScriptPath, service.BaseAddress.ToString().TrimEnd('/'));
            output.WriteLine(stdout);
            Assert.True(exit == 0, $"walkthrough.sh exited {exit}: {stderr}\n{stdout}\n{service.Log}");
            var answers = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(6, answers.Count);
            var (store, keap, run, list, resolved, history) = (answers[0], answers[1], answers[2], answers[3], answers[4], answers[5]);

            Assert.Equal((3, 2, 1), (store.GetProperty("received").GetInt32(), store.GetProperty("inserted").GetInt32(), store.GetProperty("rejected").GetInt32()));
            Assert.Equal(1, keap.GetProperty("inserted").GetInt32());
            Assert.Equal("succeeded", run.GetProperty("status").GetString());
            Assert.Equal((2, 1, 1, 2), (run.GetProperty("storeOrders").GetInt32(), run.GetProperty("keapOrders").GetInt32(),
                run.GetProperty("matched").GetInt32(), run.GetProperty("discrepancies").GetInt32()));
            Assert.Equal(83.94m, run.GetProperty("impact").GetDecimal());
            Assert.Equal(0.5m, run.GetProperty("window").GetProperty("matchRate").GetDecimal());
            Assert.Equal("done", run.GetProperty("progress").GetProperty("phase").GetString());
            Assert.Equal("1 amount differs; 1 of 2 store orders is missing in Keap; money at stake 83.94.", run.GetProperty("summary").GetString());
            var items = list.GetProperty("items").EnumerateArray().ToList();
            Assert.Equal(["missing_in_keap", "amount_mismatch"], items.Select(i => i.GetProperty("category").GetString()));
            Assert.Equal(["sync_stopped", "tax_or_shipping_not_synced"], items.Select(i => i.GetProperty("causeCode").GetString()));
            Assert.Equal(["create_in_keap", "update_keap"], items.Select(i => i.GetProperty("actionCode").GetString()));
            Assert.Equal(items[1].GetProperty("id").GetInt64(), resolved.GetProperty("id").GetInt64());
            Assert.Equal("resolved", resolved.GetProperty("state").GetString());
            Assert.Equal(["created", "state_changed"], history.EnumerateArray().Select(h => h.GetProperty("kind").GetString()));

            // Every "field": value the README's answer lines show is in the answer the service gave.
            var shown = ShownAnswers(ScriptBlock());
            Assert.Equal(answers.Count, shown.Count);
            for (var i = 0; i < answers.Count; i++)
                AssertShown(shown[i], answers[i]);
        }
        finally
        {
            try { folder.Delete(recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Each <c># →</c> comment with its continuation lines, joined into one line, the day placeholders filled in.</summary>
    static List<string> ShownAnswers(string block)
    {
        var today = DateTime.UtcNow.Date;
        var answers = new List<string>();
        string? current = null;
        foreach (var line in block.Split('\n'))
        {
            if (line.StartsWith("# →", StringComparison.Ordinal))
            {
                if (current is not null)
                    answers.Add(current);
                current = line[3..].Trim();
            }
            else if (current is not null && line.StartsWith("#  ", StringComparison.Ordinal))
                current += " " + line[1..].Trim();
            else if (current is not null)
            {
                answers.Add(current);
                current = null;
            }
        }
        if (current is not null)
            answers.Add(current);
        return answers.Select(a => a.Replace("<DAY1>", today.AddDays(-3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Replace("<DAY2>", today.AddDays(-2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))).ToList();
    }

    static void AssertShown(string shown, JsonElement answer)
    {
        var pairs = ShownPair().Matches(shown);
        Assert.NotEmpty(pairs);
        foreach (Match pair in pairs)
        {
            var (name, value) = (pair.Groups[1].Value, pair.Groups[2].Value);
            if (value.Contains('<', StringComparison.Ordinal) || value.Contains("...", StringComparison.Ordinal))
                continue;
            var expected = JsonDocument.Parse(value).RootElement;
            Assert.True(Properties(answer).Any(p => p.Name == name && Same(expected, p.Value)),
                $"The README shows \"{name}\": {value}, which the answer does not hold:\n{answer}");
        }
    }

    static bool Same(JsonElement expected, JsonElement actual) => expected.ValueKind switch
    {
        JsonValueKind.Number => actual.ValueKind == JsonValueKind.Number && expected.GetDecimal() == actual.GetDecimal(),
        JsonValueKind.String => actual.ValueKind == JsonValueKind.String && expected.GetString() == actual.GetString(),
        _ => expected.ValueKind == actual.ValueKind,
    };

    static IEnumerable<JsonProperty> Properties(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Properties(p.Value).Prepend(p)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Properties),
        _ => [],
    };

    [GeneratedRegex("""
        "(\w+)": ("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|null|true|false)
        """)]
    private static partial Regex ShownPair();

    /// <summary>Runs a program to its end (at most 2 minutes) and returns its exit code and output.</summary>
    internal static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran past 2 minutes:\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
