using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MigrationPortal.Testing;

/// <summary>
/// One real portal process: the built MigrationPortal.Web.dll run by the dotnet host on a free loopback port, with its
/// Hangfire workers on. <see cref="Kill"/> is SIGKILL: no shutdown, no lease released, an HTTP call in flight simply dies.
/// Used by the node-crash test (Web.Tests) and the exactly-once tests against the vCenter lab (VSphere.Tests).
/// </summary>
public sealed class PortalProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private PortalProcess(string name, Process process, Uri url)
    {
        Name = name;
        _process = process;
        Url = url;
    }

    public string Name { get; }
    public Uri Url { get; }

    /// <summary>
    /// The settings every test node shares: its name, fast queue polling, a dispatcher every 2 s, a 30 s invisibility
    /// timeout (shorter than the default only to keep tests brief); the lease settings stay at their defaults.
    /// </summary>
    public static Dictionary<string, string> QueueSettings(string name) => new()
    {
        ["Execution__NodeName"] = name,
        ["Hangfire__WorkerCount"] = "4",
        ["Hangfire__QueuePollInterval"] = "00:00:00.500",
        ["Hangfire__SchedulePollingInterval"] = "00:00:01",
        ["Hangfire__DispatcherCron"] = "*/2 * * * * *",
        ["Hangfire__InvisibilityTimeout"] = "00:00:30",
    };

    /// <summary>
    /// Starts a node with <see cref="QueueSettings"/> overlaid by <paramref name="overrides"/> (configuration keys such as
    /// <c>Database:Provider</c> or <c>Database__Provider</c>), and waits until it answers GET /login.
    /// </summary>
    public static async Task<PortalProcess> StartAsync(string name, IReadOnlyDictionary<string, string> overrides, TimeSpan? readyWithin = null)
    {
        var settings = QueueSettings(name);
        foreach (var (key, value) in overrides) settings[key.Replace(":", "__", StringComparison.Ordinal)] = value;

        var web = WebAssemblyPath();
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [web])
        {
            WorkingDirectory = Path.GetDirectoryName(web)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__MigrationPortal"] = "Information";
        foreach (var (key, value) in settings) info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        var node = new PortalProcess(name, process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => node.Record(e.Data);
        process.ErrorDataReceived += (_, e) => node.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await node.WaitReadyAsync(readyWithin ?? TimeSpan.FromSeconds(90));
        }
        catch
        {
            node.Dispose();
            throw;
        }

        return node;
    }

    private async Task WaitReadyAsync(TimeSpan limit)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () =>
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}. {Tail()}");
            try
            {
                using var response = await http.GetAsync("login");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false; // not listening yet, or still starting up
            }
        }, limit, $"{Name} to answer GET /login", TimeSpan.FromMilliseconds(250), () => Task.FromResult(Tail()));
    }

    /// <summary>SIGKILL.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <summary>Whether the process has written this text (its log is kept at Warning, MigrationPortal at Information).</summary>
    public bool HasWritten(string text) => _output.Any(l => l.Contains(text, StringComparison.Ordinal));

    public bool HasExited => _process.HasExited;

    public string Tail(int lines = 60) => $"--- {Name} (last lines) ---\n" + string.Join("\n", _output.TakeLast(lines));

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 600) _output.TryDequeue(out _);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The web project's own build output (same configuration as this test), where its appsettings and runtimeconfig live.</summary>
    private static string WebAssemblyPath()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "MigrationPortal.sln"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException("MigrationPortal.sln not found above the test folder.");
        var path = Path.Combine(root.FullName, "src", "MigrationPortal.Web", "bin", configuration, framework, "MigrationPortal.Web.dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build the solution first.");
    }
}
