using System.Diagnostics;
using System.Globalization;

namespace ReconcileApi.Tests;

/// <summary>
/// Headless Chromium from the system (Debian's <c>chromium</c> package), run once per page: <c>--dump-dom</c> for the
/// DOM after the page's script has drawn it, <c>--screenshot</c> for a picture. When it is not on PATH and the tests run
/// as root on Debian (CI), it is installed once with apt-get, under a lock file so that parallel test runs do not
/// collide; anywhere else the test fails and says how to install it — it never skips.
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

    static async Task<(int ExitCode, string Output, string Errors)> RunBrowserAsync(string browser, int width, int height, string[] action)
    {
        var profile = Directory.CreateTempSubdirectory("reconcile-chromium-");
        try
        {
            string[] arguments =
            [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000",
                string.Create(CultureInfo.InvariantCulture, $"--window-size={width},{height}"),
                "--user-data-dir=" + profile.FullName,
                "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage",
                // The page talks to the service on loopback only; the browser's own calls home (updates, sync, metrics) are
                // off, and anything else that is not loopback goes to a closed local port instead of the network.
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
                "--proxy-server=http://127.0.0.1:9",
                .. action,
            ];
            return await RunAsync(browser, arguments, PageTimeout);
        }
        finally
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
    }

    static string? FindOnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, Executable))
            .FirstOrDefault(File.Exists);

    static async Task<string> InstallAsync(Action<string> note)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/etc/debian_version") || !IsRoot())
        {
            throw new InvalidOperationException(
                $"{Executable} is not on PATH, and this test needs a real browser (it does not skip). Install it and run the tests " +
                $"again: on Debian or Ubuntu `sudo sh -c '{InstallCommand}'`; elsewhere, put a Chromium named '{Executable}' on PATH. " +
                "(As root on Debian the test installs it by itself.)");
        }

        // One installer at a time across processes (FileShare.None takes an exclusive lock on the file).
        var lockPath = Path.Combine(Path.GetTempPath(), "reconcile-chromium-install.lock");
        var deadline = DateTime.UtcNow + InstallTimeout;
        FileStream? held = null;
        while (held is null)
        {
            try
            {
                held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
        await using (held)
        {
            // Another run may have installed it while this one waited.
            if (FindOnPath() is { } installed)
                return installed;
            note($"{Executable} is not on PATH; installing it: {InstallCommand}");
            var (exitCode, output, errors) = await RunAsync("/bin/sh", ["-c", InstallCommand], InstallTimeout,
                new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" });
            if (exitCode != 0 || FindOnPath() is not { } path)
                throw new InvalidOperationException($"Installing {Executable} failed (exit {exitCode}): {InstallCommand}\n{Tail(output)}\n{Tail(errors)}");
            note($"installed {path}");
            return path;
        }
    }

    /// <summary>The effective user id is 0 (the second field of Uid: in /proc/self/status).</summary>
    static bool IsRoot() =>
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal)) is { } line
        && line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries) is [_, _, "0", ..];

    static async Task<(int ExitCode, string Output, string Errors)> RunAsync(
        string file, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds} s.\n{Tail(await errors)}");
        }
        return (process.ExitCode, await output, await errors);
    }

    static string Tail(string text, int lines = 30) =>
        string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));
}
