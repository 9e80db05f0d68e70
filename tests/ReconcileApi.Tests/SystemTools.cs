using System.Diagnostics;

namespace ReconcileApi.Tests;

/// <summary>
/// Programs the tests take from the system (Chromium, Node.js): found on PATH, or — when the tests run as root on
/// Debian, as in CI — installed once with apt-get under a lock file, so that parallel test runs (and apt itself) do not
/// collide. Anywhere else a missing program fails the test with the command that installs it: nothing skips.
/// </summary>
public static class SystemTools
{
    public static string? FindOnPath(string executable) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, executable))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs <paramref name="installCommand"/> (apt-get) once, and returns where <paramref name="executable"/> then is.</summary>
    public static async Task<string> InstallWithAptAsync(
        string executable, string installCommand, TimeSpan timeout, Action<string> note, string why, string otherwise)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/etc/debian_version") || !IsRoot())
        {
            throw new InvalidOperationException(
                $"{executable} is not on PATH, and {why}. Install it and run the tests again: on Debian or Ubuntu " +
                $"`sudo sh -c '{installCommand}'`; {otherwise}. (As root on Debian the test installs it by itself.)");
        }

        // One installer at a time across processes.
        await using (await LockAsync(Path.Combine(Path.GetTempPath(), "reconcile-apt-install.lock"), timeout))
        {
            // Another run may have installed it while this one waited.
            if (FindOnPath(executable) is { } installed)
                return installed;
            note($"{executable} is not on PATH; installing it: {installCommand}");
            var (exitCode, output, errors) = await RunAsync("/bin/sh", ["-c", installCommand], timeout,
                new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" });
            if (exitCode != 0 || FindOnPath(executable) is not { } path)
                throw new InvalidOperationException($"Installing {executable} failed (exit {exitCode}): {installCommand}\n{Tail(output)}\n{Tail(errors)}");
            note($"installed {path}");
            return path;
        }
    }

    /// <summary>
    /// Waits until this process alone holds <paramref name="path"/> (FileShare.None takes an exclusive lock on the file),
    /// for work that test runs of one machine must not do at once; disposing the stream lets the next one in.
    /// </summary>
    public static async Task<FileStream> LockAsync(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>The effective user id is 0 (the second field of Uid: in /proc/self/status).</summary>
    static bool IsRoot() =>
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal)) is { } line
        && line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries) is [_, _, "0", ..];

    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        return start;
    }

    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = StartInfo(file, arguments, environment, workingDirectory);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
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

    public static string Tail(string text, int lines = 30) =>
        string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));
}
