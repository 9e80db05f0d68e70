using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ReconcileApi.Tests;

/// <summary>
/// docs/recipes/make.md and zapier.md followed as written against the real service (a child process, a fresh SQLite
/// file): every <c>```http</c> block is sent as it stands (KEY, {id} and the hook URL filled in), and zapier.md's
/// JavaScript runs under Node on a real signed delivery and on a tampered one.
/// </summary>
public sealed partial class RecipeTests
{
    const string Key = "rk_dev_local_only_key";

    sealed record HttpBlock(string Method, string Path, List<(string Name, string Value)> Headers, string? Body);

    static string Recipe(string name) => File.ReadAllText(Path.Combine(ContractTests.RepositoryRoot(), "docs", "recipes", name)).ReplaceLineEndings("\n");

    static List<HttpBlock> HttpBlocks(string recipe) => HttpFence().Matches(recipe).Select(m =>
    {
        var lines = Regex.Replace(m.Groups[1].Value, "^" + m.Groups["indent"].Value, "", RegexOptions.Multiline).Split('\n');
        var request = lines[0].Split(' ');
        var blank = Array.IndexOf(lines, "");
        var headers = lines[1..(blank < 0 ? lines.Length : blank)].Select(h => h.Split(": ", 2)).Select(h => (h[0], h[1])).ToList();
        return new HttpBlock(request[0], request[1], headers, blank < 0 ? null : string.Join('\n', lines[(blank + 1)..]));
    }).ToList();

    static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpBlock block, string? id = null, string? hookUrl = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(block.Method), block.Path.Replace("{id}", id));
        string? contentType = null;
        foreach (var (name, value) in block.Headers)
        {
            if (name == "Content-Type")
                contentType = value;
            else if (value == "Basic base64(\"KEY:\")")
                request.Headers.Add(name, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Key + ":")));
            else
                request.Headers.Add(name, value.Replace("KEY", Key));
        }
        if (block.Body is not null)
        {
            var body = hookUrl is null ? block.Body : HookUrl().Replace(block.Body, $"\"url\": \"{hookUrl}\"");
            request.Content = new StringContent(body, Encoding.UTF8, contentType!);
        }
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task MakeAndZapierRecipes_AsWritten_Work()
    {
        var make = HttpBlocks(Recipe("make.md"));
        var zapier = HttpBlocks(Recipe("zapier.md"));
        Assert.Equal(["POST /api/v1/sources/store/orders?format=shopify", "POST /api/v1/runs", "POST /api/v1/webhooks", "GET /api/v1/runs/{id}", "GET /api/v1/runs/{id}/discrepancies"],
            make.Select(b => $"{b.Method} {b.Path}"));
        Assert.Equal(["GET /api/v1/discrepancies?sort=-id&limit=50", "POST /api/v1/webhooks"], zapier.Select(b => $"{b.Method} {b.Path}"));

        var folder = Directory.CreateTempSubdirectory("recipes-");
        try
        {
            await using var makeHook = await WebhookReceiver.StartAsync();
            await using var zapierHook = await WebhookReceiver.StartAsync();
            await using var service = await ServiceProcess.StartAsync("recipes", new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["ConnectionStrings__Reconcile"] = $"Data Source={Path.Combine(folder.FullName, "reconcile.db")}",
                ["Jobs__WorkerCount"] = "2",
                ["Webhooks__AllowPrivateTargets"] = "true",
            });
            using var client = service.CreateClient();

            // Make: subscribe the custom webhook, upload, run, poll, iterate.
            Assert.Equal(HttpStatusCode.Created, (await SendAsync(client, make[2], hookUrl: makeHook.Url)).StatusCode);
            var zapierSubscribed = await SendAsync(client, zapier[1], hookUrl: zapierHook.Url);
            Assert.Equal(HttpStatusCode.Created, zapierSubscribed.StatusCode);
            var secret = (await zapierSubscribed.Json()).GetProperty("secret").GetString()!;

            var receipt = await (await SendAsync(client, make[0])).Json();
            Assert.Equal(2, receipt.GetProperty("inserted").GetInt32());
            var started = await SendAsync(client, make[1]);
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            var id = (await started.Json()).GetProperty("id").GetString()!;
            JsonElement run;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            do
            {
                await Task.Delay(200);
                run = await (await SendAsync(client, make[3], id)).Json();
            } while (run.GetProperty("status").GetString() is "queued" or "running" && DateTime.UtcNow < deadline);
            Assert.Equal("succeeded", run.GetProperty("status").GetString());
            Assert.Equal("done", run.GetProperty("progress").GetProperty("phase").GetString());
            Assert.Equal(2, run.GetProperty("discrepancies").GetInt32());
            var items = (await (await SendAsync(client, make[4], id)).Json()).GetProperty("items").EnumerateArray().ToList();
            Assert.Equal(2, items.Count);
            Assert.All(items, i =>
            {
                Assert.Equal("missing_in_keap", i.GetProperty("category").GetString());
                Assert.Equal("create_in_keap", i.GetProperty("actionCode").GetString());
                Assert.Equal("keap", i.GetProperty("actionSystem").GetString());
                Assert.False(string.IsNullOrEmpty(i.GetProperty("causeCode").GetString()));
                Assert.False(string.IsNullOrEmpty(i.GetProperty("causeText").GetString()));
            });
            var makeEvent = JsonDocument.Parse((await makeHook.WaitForAsync(1))[0].Body).RootElement;
            Assert.Equal("run.succeeded", makeEvent.GetProperty("type").GetString());
            Assert.Equal(id, makeEvent.GetProperty("data").GetProperty("runId").GetString());

            // Zapier: the polling request with Basic auth lists the findings newest first.
            var polled = await SendAsync(client, zapier[0]);
            Assert.Equal(HttpStatusCode.OK, polled.StatusCode);
            var ids = (await polled.Json()).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToList();
            Assert.Equal(items.Select(i => i.GetProperty("id").GetInt64()).OrderDescending(), ids);

            // Zapier: the recipe's JavaScript accepts the real delivery and refuses a tampered one.
            var delivery = (await zapierHook.WaitForAsync(1))[0];
            var input = new Dictionary<string, string>
            {
                ["id"] = delivery.Header("webhook-id")!, ["timestamp"] = delivery.Header("webhook-timestamp")!,
                ["signature"] = delivery.Header("webhook-signature")!, ["body"] = delivery.Body, ["secret"] = secret,
            };
            var accepted = await RunCodeStepAsync(input);
            Assert.True(accepted.Exit == 0, accepted.Stderr);
            var output = JsonDocument.Parse(accepted.Stdout).RootElement;
            Assert.True(output.GetProperty("verified").GetBoolean());
            Assert.Equal("run.succeeded", output.GetProperty("type").GetString());
            Assert.Equal(id, output.GetProperty("runId").GetString());

            var tampered = await RunCodeStepAsync(new(input) { ["body"] = delivery.Body.Replace("\"succeeded\"", "\"failed\"") });
            Assert.NotEqual(0, tampered.Exit);
            Assert.Contains("signature does not match", tampered.Stderr);
            var stale = await RunCodeStepAsync(new(input) { ["timestamp"] = (long.Parse(input["timestamp"]) - 600).ToString() });
            Assert.NotEqual(0, stale.Exit);
            Assert.Contains("more than 5 minutes", stale.Stderr);
        }
        finally
        {
            try { folder.Delete(recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>zapier.md's JavaScript as Code by Zapier runs it: inside an async function, <c>inputData</c> given, <c>output</c> read.</summary>
    static async Task<(int Exit, string Stdout, string Stderr)> RunCodeStepAsync(Dictionary<string, string> input)
    {
        var code = JavaScriptFence().Match(Recipe("zapier.md"));
        Assert.True(code.Success, "zapier.md has no ```javascript block.");
        if (SystemTools.FindOnPath("node") is null)
            await SystemTools.InstallWithAptAsync("node", "apt-get update && apt-get install -y --no-install-recommends nodejs", TimeSpan.FromMinutes(10),
                Console.WriteLine, "the Zapier recipe's Code step is run with Node.js (the test does not skip)", "elsewhere, install Node.js from https://nodejs.org");
        var file = Path.Combine(Path.GetTempPath(), $"zapier-code-{Guid.NewGuid():N}.js");
        await File.WriteAllTextAsync(file,
            "const inputData = JSON.parse(process.argv[2]);\nlet output;\n(async () => {\n" + code.Groups[1].Value +
            "\n})().then(() => console.log(JSON.stringify(output))).catch((e) => { console.error(e.message); process.exit(1); });\n");
        try
        {
            return await WalkthroughTests.RunAsync("node", file, JsonSerializer.Serialize(input));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"^(?<indent> *)```http\n(.*?)\n *```$", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex HttpFence();

    [GeneratedRegex(@"```javascript\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JavaScriptFence();

    [GeneratedRegex("\"url\": \"[^\"]*\"")]
    private static partial Regex HookUrl();
}
