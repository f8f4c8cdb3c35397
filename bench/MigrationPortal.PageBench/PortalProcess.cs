using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MigrationPortal.PageBench;

/// <summary>
/// The real portal: the built src/MigrationPortal.Web (Release) started as its own process on a free loopback port, on
/// the seeded SQLite database. Development environment, as the browser journeys run it, because that is what serves
/// MudBlazor's static assets from a build (not a publish) output. Hangfire's server is off: no job changes the data
/// between loads, so every round measures the same pages.
/// </summary>
internal sealed class PortalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private PortalProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public static async Task<PortalProcess> StartAsync(string repositoryRoot, string dataDirectory, bool demo)
    {
        var webDirectory = Path.Combine(repositoryRoot, "src", "MigrationPortal.Web");
        var dll = Path.Combine(webDirectory, "bin", "Release", "net10.0", "MigrationPortal.Web.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build it first (dotnet build -c Release src/MigrationPortal.Web).");
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = webDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["Database__Provider"] = "Sqlite";
        info.Environment["Database__DataDirectory"] = dataDirectory;
        info.Environment["Demo__Enabled"] = demo ? "true" : "false";
        info.Environment["Hangfire__ServerEnabled"] = "false";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        var portal = new PortalProcess(process, $"http://127.0.0.1:{port}");
        process.OutputDataReceived += (_, e) => portal.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => portal.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await portal.WaitUpAsync();
        return portal;
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output) { _output.Add(line); if (_output.Count > 200) _output.RemoveAt(0); }
    }

    private async Task WaitUpAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (_process.HasExited) break;
            try
            {
                using var response = await http.GetAsync(BaseUrl + "/login");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(500);
        }

        string tail;
        lock (_output) tail = string.Join(Environment.NewLine, _output.TakeLast(40));
        throw new InvalidOperationException($"The portal did not answer on {BaseUrl}/login (exited: {_process.HasExited}). Its last output:{Environment.NewLine}{tail}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
