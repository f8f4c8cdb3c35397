using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MigrationPortal.VSphere.Tests.Lab;

/// <summary>
/// One real vCenter simulator process (tests/lab/vcsim) with the model a test asks for: HTTPS with a fresh certificate,
/// real credentials, listening on 127.0.0.1 with a port of its own. Its /lab control API lets a test set host states,
/// inject faults, expire sessions and read placements and call counts. Disposing it stops the process with SIGTERM.
/// </summary>
public sealed class VcsimLab : IAsyncDisposable
{
    public const string User = "administrator@vsphere.local";
    public const string Password = "Lab-s3cret!";

    private readonly Process _process;
    private readonly string _workDir;
    private readonly StringBuilder _log;
    private readonly HttpClient _control;

    private VcsimLab(Process process, string workDir, StringBuilder log, Uri sdk, string certificatePem, string thumbprint)
    {
        _process = process;
        _workDir = workDir;
        _log = log;
        SdkUrl = sdk;
        CertificatePem = certificatePem;
        Thumbprint = thumbprint;
        var handler = new HttpClientHandler
        {
            // The control API shares the simulator's listener; trust exactly its certificate.
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && Hex(SHA256.HashData(cert.RawData)) == thumbprint.Replace(":", ""),
        };
        _control = new HttpClient(handler) { BaseAddress = new Uri(sdk.GetLeftPart(UriPartial.Authority)), Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri SdkUrl { get; }
    public string CertificatePem { get; }

    /// <summary>SHA-256 of the simulator's certificate, AA:BB:...</summary>
    public string Thumbprint { get; }

    public string Log => _log.ToString();

    /// <summary>Starts a simulator: defaults give 2 clusters x 3 hosts, 2 VMs per cluster, 2 datastores, 2 s tasks.</summary>
    public static async Task<VcsimLab> StartAsync(int clusters = 2, int hostsPerCluster = 3, int vmsPerCluster = 2, int datastores = 2, TimeSpan? taskDuration = null,
        TimeSpan? startTimeout = null, params string[] extraArgs)
    {
        var binary = await VcsimBinary.PathAsync();
        var workDir = Directory.CreateTempSubdirectory("vcsim-test-").FullName;
        var certFile = Path.Combine(workDir, "cert.pem");
        var args = new List<string>
        {
            "-listen", "127.0.0.1:0", "-tls", "-tls-keygen", "-cert-out", certFile, "-username", User, "-password", Password,
            "-cluster", clusters.ToString(), "-host", hostsPerCluster.ToString(), "-vm", vmsPerCluster.ToString(), "-ds", datastores.ToString(),
            "-task-duration", $"{(int)(taskDuration ?? TimeSpan.FromSeconds(2)).TotalMilliseconds}ms", "-tmpdir", workDir, "-quiet",
        };
        args.AddRange(extraArgs);
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["TMPDIR"] = workDir;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {binary}.");
        var log = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginErrorReadLine();

        var timeout = startTimeout ?? TimeSpan.FromSeconds(60);
        using var cts = new CancellationTokenSource(timeout);
        string? ready = null;
        try
        {
            while (ready is null)
            {
                var line = await process.StandardOutput.ReadLineAsync(cts.Token);
                if (line is null) break;
                if (line.StartsWith("READY ", StringComparison.Ordinal)) ready = line["READY ".Length..].Trim();
            }
        }
        catch (OperationCanceledException)
        {
        }

        if (ready is null)
        {
            try { process.Kill(); } catch (InvalidOperationException) { }
            throw new InvalidOperationException($"The simulator did not print READY within {timeout.TotalSeconds:0} s. Its log:\n{log}");
        }

        var pem = await File.ReadAllTextAsync(certFile);
        using var cert = X509Certificate2.CreateFromPem(pem);
        var thumbprint = string.Join(':', SHA256.HashData(cert.RawData).Select(b => b.ToString("X2")));
        var lab = new VcsimLab(process, workDir, log, new Uri(ready), pem, thumbprint);
        return lab;
    }

    public async Task<JsonObject> VmAsync(string name) => await GetJsonAsync($"/lab/vm?name={Uri.EscapeDataString(name)}");

    public async Task<string> HostOfVmAsync(string name) => (await VmAsync(name))["host"]!["name"]!.GetValue<string>();

    public async Task<IReadOnlyList<string>> DatastoresOfVmAsync(string name) =>
        (await VmAsync(name))["datastores"]!.AsArray().Select(d => d!["name"]!.GetValue<string>()).ToList();

    public async Task<JsonObject> HostStateAsync(string host) => await GetJsonAsync($"/lab/host-state?host={Uri.EscapeDataString(host)}");

    /// <summary>Names of the VMs the simulator has on a host (HostSystem.vm), sorted.</summary>
    public async Task<IReadOnlyList<string>> VmsOnHostAsync(string host) =>
        (await HostStateAsync(host))["vms"]?.AsArray().Select(v => v!.GetValue<string>()).Order(StringComparer.Ordinal).ToList() ?? [];

    public Task<JsonObject> SetHostStateAsync(string host, bool? maintenance = null, string? connection = null, string? power = null) =>
        PostJsonAsync("/lab/host-state", new JsonObject { ["host"] = host, ["maintenance"] = maintenance, ["connection"] = connection, ["power"] = power }.RemoveNulls());

    public Task<JsonObject> InjectFaultAsync(string method, string fault, string? message = null, int? afterPercent = null, string? entity = null, int count = 1) =>
        PostJsonAsync("/lab/fault", new JsonObject { ["method"] = method, ["fault"] = fault, ["message"] = message, ["afterPercent"] = afterPercent, ["entity"] = entity, ["count"] = count }.RemoveNulls());

    public Task<JsonObject> ConfigureAsync(JsonObject config) => PostJsonAsync("/lab/config", config);

    /// <summary>Any fault the lab knows (POST /lab/fault as it stands), for knobs <see cref="InjectFaultAsync"/> does not name (abortLeaseAfterBytes).</summary>
    public Task<JsonObject> InjectAsync(JsonObject fault) => PostJsonAsync("/lab/fault", fault);

    /// <summary>The export leases the lab has handed out, with their state and the bytes served (GET /lab/leases).</summary>
    public async Task<IReadOnlyList<JsonObject>> LeasesAsync() =>
        (await GetJsonAsync("/lab/leases"))["leases"]?.AsArray().Select(l => l!.AsObject()).ToList() ?? [];

    public async Task<int> ExpireSessionsAsync() => (await PostJsonAsync("/lab/expire-sessions", new JsonObject()))["expired"]!.GetValue<int>();

    /// <summary>How many times each SOAP method was called since the start or the last <see cref="ResetCallsAsync"/>.</summary>
    public async Task<int> CallsAsync(string method) =>
        (await GetJsonAsync("/lab/calls"))["calls"]!.AsObject().TryGetPropertyValue(method, out var n) && n is not null ? n.GetValue<int>() : 0;

    public async Task ResetCallsAsync() => (await _control.DeleteAsync("/lab/calls")).EnsureSuccessStatusCode();

    /// <summary>
    /// Tags a VM through the simulator's vAPI tagging service (REST), as an administrator would in the vSphere Client:
    /// creates the category (for VirtualMachine) and the tag when they are missing, then attaches the tag.
    /// </summary>
    public async Task TagVmAsync(string vmName, string category, string tag)
    {
        const string tagging = "/rest/com/vmware/cis/tagging";
        var login = new HttpRequestMessage(HttpMethod.Post, "/rest/com/vmware/cis/session");
        login.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        var session = (await RestAsync(login))!.GetValue<string>();
        async Task<JsonNode?> Call(HttpMethod method, string path, JsonObject? body = null)
        {
            var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            request.Headers.Add("vmware-api-session-id", session);
            return await RestAsync(request);
        }

        string? categoryId = null;
        foreach (var id in (await Call(HttpMethod.Get, $"{tagging}/category"))?.AsArray().Select(n => n!.GetValue<string>()) ?? [])
            if ((await Call(HttpMethod.Get, $"{tagging}/category/id:{id}"))!["name"]!.GetValue<string>() == category) categoryId = id;
        categoryId ??= (await Call(HttpMethod.Post, $"{tagging}/category", new JsonObject
        {
            ["create_spec"] = new JsonObject { ["name"] = category, ["description"] = "", ["cardinality"] = "SINGLE", ["associable_types"] = new JsonArray("VirtualMachine") },
        }))!.GetValue<string>();

        string? tagId = null;
        foreach (var id in (await Call(HttpMethod.Post, $"{tagging}/tag/id:{categoryId}?~action=list-tags-for-category"))?.AsArray().Select(n => n!.GetValue<string>()) ?? [])
            if ((await Call(HttpMethod.Get, $"{tagging}/tag/id:{id}"))!["name"]!.GetValue<string>() == tag) tagId = id;
        tagId ??= (await Call(HttpMethod.Post, $"{tagging}/tag", new JsonObject
        {
            ["create_spec"] = new JsonObject { ["name"] = tag, ["description"] = "", ["category_id"] = categoryId },
        }))!.GetValue<string>();

        var vmId = (await VmAsync(vmName))["id"]!.GetValue<string>();
        await Call(HttpMethod.Post, $"{tagging}/tag-association/id:{tagId}?~action=attach",
            new JsonObject { ["object_id"] = new JsonObject { ["id"] = vmId, ["type"] = "VirtualMachine" } });
    }

    private async Task<JsonNode?> RestAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await _control.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {body}");
            return string.IsNullOrWhiteSpace(body) ? null : JsonNode.Parse(body)?["value"];
        }
    }

    private async Task<JsonObject> GetJsonAsync(string path)
    {
        var response = await _control.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private async Task<JsonObject> PostJsonAsync(string path, JsonObject payload)
    {
        var response = await _control.PostAsJsonAsync(path, payload);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    public async ValueTask DisposeAsync()
    {
        _control.Dispose();
        if (!_process.HasExited)
        {
            // SIGTERM lets the simulator remove its datastore folders.
            _ = kill(_process.Id, 15);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        try { Directory.Delete(_workDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);
}

internal static class JsonObjectExtensions
{
    public static JsonObject RemoveNulls(this JsonObject o)
    {
        foreach (var key in o.Where(p => p.Value is null).Select(p => p.Key).ToList()) o.Remove(key);
        return o;
    }
}

/// <summary>
/// Where the simulator binary is: VCSIM_BIN (tests/lab/vcsim/ci-setup.sh exports it). Outside CI a missing binary is built
/// once with tests/lab/vcsim/build.sh; with CI=true a missing binary fails the tests, it never skips them.
/// </summary>
public static class VcsimBinary
{
    public const string Variable = "VCSIM_BIN";
    private static readonly Lazy<Task<string>> Built = new(BuildAsync);

    public static Task<string> PathAsync()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (!File.Exists(configured)) throw new InvalidOperationException($"{Variable}={configured} does not exist.");
            return Task.FromResult(configured);
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{Variable} is not set: scripts/test.sh sources tests/lab/vcsim/ci-setup.sh, which builds the simulator and exports it.");
        return Built.Value;
    }

    private static async Task<string> BuildAsync()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "MigrationPortal.sln"))) root = Path.GetDirectoryName(root);
        if (root is null) throw new InvalidOperationException($"{Variable} is not set and the repository root was not found to build the simulator.");
        var cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "migrationportal-vcsim");
        var output = Path.Combine(cache, "bin", "vcsim-lab");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(root, "tests", "lab", "vcsim", "build.sh"));
        start.ArgumentList.Add(output);
        using var build = Process.Start(start)!;
        var stderr = build.StandardError.ReadToEndAsync();
        await build.StandardOutput.ReadToEndAsync();
        await build.WaitForExitAsync();
        if (build.ExitCode != 0) throw new InvalidOperationException($"Building the simulator failed:\n{await stderr}");
        return output;
    }
}
