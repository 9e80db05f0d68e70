using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace ReconcileApi.Tests;

/// <summary>
/// Headless Chromium from the system (Debian's <c>chromium</c> package), run once per page: <c>--dump-dom</c> for the
/// DOM after the page's script has drawn it, <c>--screenshot</c> for a picture. When it is not on PATH and the tests run
/// as root on Debian (CI), it is installed once with apt-get, under a lock file so that parallel test runs do not
/// collide; anywhere else the test fails and says how to install it — it never skips. <see cref="EvaluateAsync"/> drives it
/// through the DevTools protocol instead, for what the command line cannot do: a viewport narrower than 500 px.
/// </summary>
public static class Chromium
{
    const string Executable = "chromium";
    const string InstallCommand = "apt-get update && apt-get install -y --no-install-recommends chromium";
    static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(15);
    static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(60);
    static readonly SemaphoreSlim Gate = new(1, 1);
    static string? located;

    /// <summary>The browser's path; installs it first where that is possible (see the class summary).</summary>
    public static async Task<string> LocateAsync(Action<string> note)
    {
        await Gate.WaitAsync();
        try
        {
            return located ??= FindOnPath() ?? await InstallAsync(note);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The DOM after the page ran (virtual time lets its fetches finish before the dump), as HTML.</summary>
    public static async Task<string> DumpDomAsync(string browser, string url, int width, int height)
    {
        var (exitCode, output, errors) = await RunBrowserAsync(browser, width, height, ["--dump-dom", url]);
        if (exitCode != 0 || output.Length == 0)
            throw new InvalidOperationException($"chromium --dump-dom {url} exited {exitCode} with {output.Length} characters of DOM.\n{Tail(errors)}");
        return output;
    }

    /// <summary>A PNG of the page's first <paramref name="height"/> pixels at <paramref name="width"/> CSS pixels.</summary>
    public static async Task ScreenshotAsync(string browser, string url, int width, int height, string file)
    {
        File.Delete(file);
        var (exitCode, _, errors) = await RunBrowserAsync(browser, width, height, ["--hide-scrollbars", "--screenshot=" + file, url]);
        if (exitCode != 0 || !File.Exists(file))
            throw new InvalidOperationException($"chromium --screenshot={file} {url} exited {exitCode} and wrote {(File.Exists(file) ? "the file" : "nothing")}.\n{Tail(errors)}");
    }

    /// <summary>
    /// Opens <paramref name="url"/> in a viewport of exactly <paramref name="width"/>×<paramref name="height"/> CSS pixels
    /// (a phone: touch, overlay scroll bars), waits until <paramref name="ready"/> is true in the page, and returns the
    /// value of <paramref name="expression"/>. Headless windows are at least 500 px wide, so <c>--dump-dom</c> cannot lay a
    /// page out at 375 px; DevTools' device metrics can.
    /// </summary>
    public static async Task<JsonElement> EvaluateAsync(string browser, string url, int width, int height, string ready, string expression)
    {
        var profile = Directory.CreateTempSubdirectory("reconcile-chromium-");
        using var process = Process.Start(StartInfo(browser, [.. CommonArguments(width, height, profile), "--remote-debugging-port=0", "about:blank"]))
            ?? throw new InvalidOperationException($"Could not start {browser}.");
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        using var timeout = new CancellationTokenSource(PageTimeout);
        try
        {
            // The browser writes its port and endpoint path once it listens.
            var portFile = Path.Combine(profile.FullName, "DevToolsActivePort");
            string[] lines;
            while (!File.Exists(portFile) || (lines = File.ReadAllLines(portFile)).Length < 2)
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"{browser} exited {process.ExitCode} before it listened for DevTools.");
                await Task.Delay(50, timeout.Token);
            }
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{lines[0]}{lines[1]}"), timeout.Token);
            var devTools = new DevTools(socket, timeout.Token);

            var target = await devTools.SendAsync("Target.createTarget", new { url = "about:blank" });
            var session = (await devTools.SendAsync("Target.attachToTarget", new { targetId = target.GetProperty("targetId").GetString(), flatten = true }))
                .GetProperty("sessionId").GetString();
            await devTools.SendAsync("Emulation.setDeviceMetricsOverride", new { width, height, deviceScaleFactor = 1, mobile = true }, session);
            await devTools.SendAsync("Page.navigate", new { url }, session);
            while ((await EvaluateInAsync(devTools, session, ready)).ValueKind != JsonValueKind.True)
                await Task.Delay(100, timeout.Token);
            return await EvaluateInAsync(devTools, session, expression);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            string log;
            lock (errors)
                log = Tail(errors.ToString());
            throw new TimeoutException($"{browser} over DevTools: {url} did not become ready ({ready}) within {PageTimeout.TotalSeconds} s.\n{log}", e);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            DeleteProfile(profile);
        }
    }

    static async Task<JsonElement> EvaluateInAsync(DevTools devTools, string? session, string expression)
    {
        var answer = await devTools.SendAsync("Runtime.evaluate", new { expression, returnByValue = true }, session);
        if (answer.TryGetProperty("exceptionDetails", out var exception))
            throw new InvalidOperationException($"The page threw evaluating {expression}: {exception}");
        return answer.GetProperty("result").TryGetProperty("value", out var value) ? value.Clone() : default;
    }

    /// <summary>Commands over the browser's DevTools WebSocket, one at a time; events in between are passed over.</summary>
    sealed class DevTools(ClientWebSocket socket, CancellationToken cancel)
    {
        int lastId;

        public async Task<JsonElement> SendAsync(string method, object parameters, string? sessionId = null)
        {
            var id = ++lastId;
            var message = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters, sessionId },
                new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
            await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancel);
            while (true)
            {
                using var reply = JsonDocument.Parse(await ReceiveAsync());
                if (!reply.RootElement.TryGetProperty("id", out var replyId) || replyId.GetInt32() != id)
                    continue;
                if (reply.RootElement.TryGetProperty("error", out var error))
                    throw new InvalidOperationException($"DevTools {method} failed: {error}");
                return reply.RootElement.GetProperty("result").Clone();
            }
        }

        async Task<byte[]> ReceiveAsync()
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            while (true)
            {
                var received = await socket.ReceiveAsync(chunk, cancel);
                if (received.MessageType == WebSocketMessageType.Close)
                    throw new WebSocketException("The browser closed the DevTools connection.");
                buffer.Write(chunk, 0, received.Count);
                if (received.EndOfMessage)
                    return buffer.ToArray();
            }
        }
    }

    static async Task<(int ExitCode, string Output, string Errors)> RunBrowserAsync(string browser, int width, int height, string[] action)
    {
        var profile = Directory.CreateTempSubdirectory("reconcile-chromium-");
        try
        {
            return await RunAsync(browser, [.. CommonArguments(width, height, profile), "--virtual-time-budget=10000", .. action], PageTimeout);
        }
        finally
        {
            DeleteProfile(profile);
        }
    }

    static string[] CommonArguments(int width, int height, DirectoryInfo profile) =>
    [
        "--headless=new", "--no-sandbox", "--disable-gpu",
        string.Create(CultureInfo.InvariantCulture, $"--window-size={width},{height}"),
        "--user-data-dir=" + profile.FullName,
        "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage",
        // The page talks to the service on loopback only; the browser's own calls home (updates, sync, metrics) are
        // off, and anything else that is not loopback goes to a closed local port instead of the network.
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
        "--proxy-server=http://127.0.0.1:9",
    ];

    static void DeleteProfile(DirectoryInfo profile)
    {
        try
        {
            profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A helper process may still hold a file for a moment; the temp folder is cleaned anyway.
        }
    }
    static string? FindOnPath() => SystemTools.FindOnPath(Executable);

    static Task<string> InstallAsync(Action<string> note) =>
        SystemTools.InstallWithAptAsync(Executable, InstallCommand, InstallTimeout, note,
            "this test needs a real browser (it does not skip)", $"elsewhere, put a Chromium named '{Executable}' on PATH");

    static ProcessStartInfo StartInfo(string file, IEnumerable<string> arguments) => SystemTools.StartInfo(file, arguments);

    static Task<(int ExitCode, string Output, string Errors)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout) =>
        SystemTools.RunAsync(file, arguments, timeout);

    static string Tail(string text) => SystemTools.Tail(text);
}
