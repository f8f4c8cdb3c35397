using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.FileProviders;
using MigrationPortal.Web.Hosting;

namespace MigrationPortal.Web.Tests.Hosting;

/// <summary>
/// The built portal (bin/, not published) run outside Development, as `dotnet src/MigrationPortal.Web/bin/…/MigrationPortal.Web.dll`
/// from another folder: it used to answer 200 with empty bodies for blazor.web.js, MudBlazor's files and its own CSS and JS.
/// </summary>
public sealed partial class StaticAssetsStartupTests
{
    [Fact]
    public async Task BuiltPortal_ServesEveryLinkedScriptAndStyleWithContent_WhenRunInProductionWithoutPublishing()
    {
        var work = Directory.CreateTempSubdirectory("mp-assets-");
        var portal = await BuiltPortal.StartAsync(work.FullName);
        try
        {
            using var http = new HttpClient { BaseAddress = portal.Url, Timeout = TimeSpan.FromSeconds(30) };
            var page = await http.GetStringAsync("login");
            var assets = AssetLinks().Matches(page).Select(m => m.Groups["url"].Value).Distinct().ToList();
            Assert.Contains("_framework/blazor.web.js", assets);
            Assert.Contains(assets, a => a.Contains("MudBlazor", StringComparison.Ordinal) && a.EndsWith(".css", StringComparison.Ordinal));
            Assert.Contains(assets, a => a.StartsWith("css/", StringComparison.Ordinal));

            foreach (var asset in assets)
            {
                using var response = await http.GetAsync(asset);
                var body = await response.Content.ReadAsByteArrayAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK && body.Length > 0,
                    $"{asset}: {(int)response.StatusCode} with {body.Length} bytes (Content-Length {response.Content.Headers.ContentLength}).");
            }

            var blazor = await http.GetStringAsync("_framework/blazor.web.js");
            Assert.Contains("Blazor", blazor);
        }
        finally
        {
            portal.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { work.Delete(true); } catch (IOException) { }
        }
    }

    [Fact]
    public void EnsureStaticAssetsFound_ThrowsNamingTheFix_WhenTheWebRootLacksTheAssets()
    {
        var environment = new FakeEnvironment { WebRootFileProvider = new NullFileProvider(), WebRootPath = "/nowhere/wwwroot", ContentRootPath = "/nowhere" };

        var error = Assert.Throws<InvalidOperationException>(() => StaticAssetsStartup.EnsureStaticAssetsFound(environment));

        Assert.Contains("_framework/blazor.web.js", error.Message);
        Assert.Contains("publish it, or set ASPNETCORE_ENVIRONMENT=Development", error.Message);
    }

    [Fact]
    public void EnsureStaticAssetsFound_Passes_WhenTheWebRootHasBlazorsScript()
    {
        var root = Directory.CreateTempSubdirectory("mp-webroot-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "_framework"));
            File.WriteAllText(Path.Combine(root.FullName, "_framework", "blazor.web.js"), "/* Blazor */");
            using var provider = new PhysicalFileProvider(root.FullName);
            var environment = new FakeEnvironment { WebRootFileProvider = provider, WebRootPath = root.FullName, ContentRootPath = root.FullName };

            StaticAssetsStartup.EnsureStaticAssetsFound(environment); // does not throw
            File.Delete(Path.Combine(root.FullName, "_framework", "blazor.web.js"));
            Assert.Throws<InvalidOperationException>(() => StaticAssetsStartup.EnsureStaticAssetsFound(environment));
        }
        finally
        {
            root.Delete(true);
        }
    }

    [GeneratedRegex(@"(?:href|src)=""(?<url>[^""]+\.(?:css|js))""")]
    private static partial Regex AssetLinks();

    private sealed class FakeEnvironment : IWebHostEnvironment
    {
        public string WebRootPath { get; set; } = "";
        public IFileProvider WebRootFileProvider { get; set; } = new NullFileProvider();
        public string ApplicationName { get; set; } = "MigrationPortal.Web";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
        public string ContentRootPath { get; set; } = "";
        public string EnvironmentName { get; set; } = "Production";
    }

    /// <summary>The web project's own build output (same configuration as this test) started by the dotnet host in Production.</summary>
    private sealed class BuiltPortal : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();
        private bool _disposed;

        private BuiltPortal(Process process, Uri url)
        {
            _process = process;
            Url = url;
        }

        public Uri Url { get; }

        public static async Task<BuiltPortal> StartAsync(string workingDirectory)
        {
            var port = FreePort();
            var info = new ProcessStartInfo("dotnet", [WebAssemblyPath()]) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
            info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            info.Environment["Database__Provider"] = "Sqlite";
            info.Environment["Database__DataDirectory"] = Path.Combine(workingDirectory, "data");
            info.Environment["Hangfire__ServerEnabled"] = "false";
            info.Environment["Logging__LogLevel__Default"] = "Warning";
            var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
            var portal = new BuiltPortal(process, new Uri($"http://127.0.0.1:{port}/"));
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) portal._output.Enqueue(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) portal._output.Enqueue(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient { BaseAddress = portal.Url, Timeout = TimeSpan.FromSeconds(5) };
            try
            {
                await Eventually.TrueAsync(async () =>
                {
                    if (process.HasExited) throw new InvalidOperationException($"The portal exited with {process.ExitCode}: {portal.Tail()}");
                    try
                    {
                        using var response = await http.GetAsync("health/live");
                        return response.IsSuccessStatusCode;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        return false;
                    }
                }, TimeSpan.FromSeconds(120), "the built portal to answer /health/live", TimeSpan.FromMilliseconds(250), () => Task.FromResult(portal.Tail()));
            }
            catch
            {
                portal.Dispose();
                throw;
            }

            return portal;
        }

        public string Tail() => string.Join("\n", _output.TakeLast(40));

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private static string WebAssemblyPath()
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var root = testBin;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "MigrationPortal.sln"))) root = root.Parent;
            if (root is null) throw new InvalidOperationException("MigrationPortal.sln not found above the test folder.");
            var path = Path.Combine(root.FullName, "src", "MigrationPortal.Web", "bin", testBin.Parent!.Name, testBin.Name, "MigrationPortal.Web.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build the solution first.");
        }
    }
}
