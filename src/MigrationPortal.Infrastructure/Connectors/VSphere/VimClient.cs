using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>
/// A small, typed vim25 SOAP client over HttpClient and System.Xml: only the calls the connector needs. It keeps the
/// session cookie, signs in again once when vCenter says NotAuthenticated, follows tasks with WaitForUpdatesEx (polling
/// when that is unavailable), and turns SOAP and task faults into <see cref="VimFaultException"/>. It never logs a request
/// body, so the password sent by Login cannot reach a log.
/// </summary>
public sealed class VimClient : IAsyncDisposable
{
    private static readonly MoRef ServiceInstance = new("ServiceInstance", "ServiceInstance");

    private readonly HttpClient _http;
    private readonly Uri _sdk;
    private readonly string? _user;
    private readonly string? _password;
    private readonly VSphereOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _loginLock = new(1, 1);
    private int _sessionGeneration;
    private string? _restSession;

    private const string RestSessionHeader = "vmware-api-session-id";

    private VimClient(Uri sdk, string? user, string? password, VimCertificatePolicy certificates, VSphereOptions options, ILogger logger)
    {
        _sdk = sdk;
        _user = user;
        _password = password;
        _options = options;
        _logger = logger;
        Certificates = certificates;
        var handler = new SocketsHttpHandler
        {
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = options.ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, chain, errors) => certificates.Validate(cert, chain, errors);
        _http = new HttpClient(handler) { Timeout = options.RequestTimeout };
    }

    public VimCertificatePolicy Certificates { get; }

    public VimServiceContent Content { get; private set; } = null!;

    /// <summary>Counts sign-ins on this client; objects a session owns (views, collectors) die with it.</summary>
    public int SessionGeneration => Volatile.Read(ref _sessionGeneration);

    /// <summary>How many times this client signed in again after vCenter reported the session gone.</summary>
    public int Relogins { get; private set; }

    /// <summary>Reads the service content, then signs in when credentials are given.</summary>
    /// <param name="certificates">Pass one to read the presented thumbprint even when the connection fails.</param>
    public static async Task<VimClient> ConnectAsync(ConnectionInfo connection, VSphereOptions options, ILogger logger, CancellationToken ct, VimCertificatePolicy? certificates = null)
    {
        // Plain http would send the password and the session cookie in clear text: vCenter is reached over https only.
        if (!Uri.TryCreate(connection.Endpoint, UriKind.Absolute, out var sdk) || sdk.Scheme != Uri.UriSchemeHttps)
            throw new ConnectorException("InvalidEndpoint", $"'{connection.Endpoint}' is not a vCenter SDK URL such as https://vcenter.example/sdk.");
        if (sdk.AbsolutePath is "" or "/") sdk = new Uri(sdk, "/sdk");
        var client = new VimClient(sdk, connection.Username, connection.Secret,
            certificates ?? new VimCertificatePolicy(connection.PinnedThumbprint, connection.CaCertificatePem), options, logger);
        try
        {
            await client.RetrieveServiceContentAsync(ct);
            if (!string.IsNullOrEmpty(connection.Username)) await client.LoginAsync(ct);
            return client;
        }
        catch
        {
            client._http.Dispose();
            throw;
        }
    }

    public async Task RetrieveServiceContentAsync(CancellationToken ct)
    {
        var response = await SendAsync(Vim.E("RetrieveServiceContent", ServiceInstance.ToXml("_this")), ct);
        Content = VimServiceContent.Parse(response.Child("returnval") ?? throw new VimFaultException("InvalidResponse", "vCenter sent no service content."));
    }

    public async Task LoginAsync(CancellationToken ct)
    {
        await SendAsync(Vim.E("Login", Content.SessionManager.ToXml("_this"), Vim.E("userName", _user), Vim.E("password", _password)), ct);
        Interlocked.Increment(ref _sessionGeneration);
        _logger.LogDebug("Signed in to {Endpoint} as {User}.", _sdk, _user);
    }

    /// <summary>Calls a vim25 method on an object and returns its response element; signs in again once if the session has gone.</summary>
    public async Task<XElement> InvokeAsync(string method, MoRef target, IEnumerable<object?> arguments, CancellationToken ct)
    {
        var body = Vim.E(method, [target.ToXml("_this"), .. arguments]);
        var generation = SessionGeneration;
        try
        {
            return await SendAsync(body, ct);
        }
        catch (VimFaultException e) when (e.Is("NotAuthenticated") && !string.IsNullOrEmpty(_user))
        {
            await ReloginAsync(generation, ct);
            return await SendAsync(body, ct);
        }
    }

    public Task<XElement> InvokeAsync(string method, MoRef target, CancellationToken ct, params object?[] arguments) => InvokeAsync(method, target, arguments, ct);

    private async Task ReloginAsync(int failedGeneration, CancellationToken ct)
    {
        await _loginLock.WaitAsync(ct);
        try
        {
            // Another call on this client may have signed in already since this one failed.
            if (SessionGeneration != failedGeneration) return;
            _logger.LogInformation("vCenter {Endpoint} reported the session as not authenticated; signing in again.", _sdk);
            await LoginAsync(ct);
            Relogins++;
        }
        finally
        {
            _loginLock.Release();
        }
    }

    public async Task<MoRef> CreateContainerViewAsync(MoRef container, IEnumerable<string> types, CancellationToken ct)
    {
        var response = await InvokeAsync("CreateContainerView", Content.ViewManager, ct,
            container.ToXml("container"), types.Select(t => Vim.E("type", t)), Vim.E("recursive", "true"));
        return MoRef.Parse(response.Child("returnval")!);
    }

    public Task DestroyViewAsync(MoRef view, CancellationToken ct) => InvokeAsync("DestroyView", view, ct);

    /// <summary>
    /// RetrievePropertiesEx, then ContinueRetrievePropertiesEx for as long as vCenter returns a token. Results are
    /// keyed by the object reference; a missing (unset) property is simply absent.
    /// </summary>
    public async Task<List<VimObject>> RetrieveAsync(IEnumerable<XElement> propSets, IEnumerable<XElement> objectSets, int? maxObjects, CancellationToken ct)
    {
        var spec = Vim.E("specSet", propSets, objectSets);
        var options = Vim.E("options", maxObjects is { } max ? Vim.E("maxObjects", max) : null);
        var response = await InvokeAsync("RetrievePropertiesEx", Content.PropertyCollector, ct, spec, options);
        var results = new List<VimObject>();
        var page = response.Child("returnval");
        while (page is not null)
        {
            foreach (var objectContent in page.Children("objects")) results.Add(ParseObjectContent(objectContent));
            var token = page.ChildValue("token");
            if (string.IsNullOrEmpty(token)) break;
            var next = await InvokeAsync("ContinueRetrievePropertiesEx", Content.PropertyCollector, ct, Vim.E("token", token));
            page = next.Child("returnval");
        }

        return results;
    }

    /// <summary>Reads properties of objects named directly (no traversal). Objects that no longer exist are left out.</summary>
    public async Task<Dictionary<MoRef, VimObject>> RetrieveObjectsAsync(IReadOnlyCollection<MoRef> objects, IReadOnlyCollection<string> paths, CancellationToken ct)
    {
        if (objects.Count == 0) return [];
        var propSets = objects.Select(o => o.Type).Distinct().Select(type => PropSet(type, paths)).ToList();
        try
        {
            var found = await RetrieveAsync(propSets, objects.Distinct().Select(ObjectSet), null, ct);
            return found.ToDictionary(o => o.Ref);
        }
        catch (VimFaultException e) when (e.Is("ManagedObjectNotFound") && objects.Count > 1)
        {
            // vCenter fails the whole call when one object is gone; ask again one by one and leave out the missing ones.
            var found = new Dictionary<MoRef, VimObject>();
            foreach (var o in objects.Distinct())
            {
                try
                {
                    foreach (var item in await RetrieveAsync([PropSet(o.Type, paths)], [ObjectSet(o)], null, ct)) found[item.Ref] = item;
                }
                catch (VimFaultException one) when (one.Is("ManagedObjectNotFound"))
                {
                }
            }

            return found;
        }

        static XElement ObjectSet(MoRef o) => Vim.E("objectSet", o.ToXml("obj"), Vim.E("skip", "false"));
    }

    /// <summary>Reads one object's properties; ManagedObjectNotFound if vCenter does not know it.</summary>
    public async Task<VimObject> RetrieveObjectAsync(MoRef obj, IReadOnlyCollection<string> paths, CancellationToken ct)
    {
        var found = await RetrieveObjectsAsync([obj], paths, ct);
        return found.GetValueOrDefault(obj) ?? throw new VimFaultException("ManagedObjectNotFound", $"vCenter has no {obj.Type} '{obj.Value}'.");
    }

    public static XElement PropSet(string type, IEnumerable<string> paths) => Vim.E("propSet", Vim.E("type", type), paths.Select(p => Vim.E("pathSet", p)));

    /// <summary>An objectSet that starts at a ContainerView and visits every object in it.</summary>
    public static XElement ContainerViewObjectSet(MoRef view) => Vim.E("objectSet", view.ToXml("obj"), Vim.E("skip", "true"),
        Vim.E("selectSet", new XAttribute(Vim.Xsi + "type", "TraversalSpec"), Vim.E("name", "view"), Vim.E("type", "ContainerView"), Vim.E("path", "view"), Vim.E("skip", "false")));

    /// <summary>Calls a *_Task method and returns the task reference.</summary>
    public async Task<MoRef> StartTaskAsync(string method, MoRef target, CancellationToken ct, params object?[] arguments)
    {
        var response = await InvokeAsync(method, target, arguments, ct);
        return MoRef.Parse(response.Child("returnval") ?? throw new VimFaultException("InvalidResponse", $"vCenter returned no task for {method}."));
    }

    /// <summary>One more direct look at a task that has not started moving, before paying for a collector's update cycle.</summary>
    private static readonly TimeSpan QuickTaskRecheck = TimeSpan.FromMilliseconds(30);

    private static readonly string[] TaskPaths = ["info.state", "info.progress", "info.cancelled", "info.error", "info.result"];

    public async Task<VimTaskInfo> GetTaskInfoAsync(MoRef task, CancellationToken ct) => VimTaskInfo.From(await RetrieveObjectAsync(task, TaskPaths, ct));

    /// <summary>Asks vCenter to cancel a task; a task that already ended (InvalidState) is left alone.</summary>
    public async Task CancelTaskAsync(MoRef task, CancellationToken ct)
    {
        try
        {
            await InvokeAsync("CancelTask", task, ct);
        }
        catch (VimFaultException e) when (e.Is("InvalidState"))
        {
            // vCenter answers InvalidState both for a task that has already ended and for one it will not cancel (not
            // cancelable, or in a phase such as a vMotion's switch-over). Only the first is harmless: a refusal of a task
            // that still runs goes up to the portal, which asks again and then records the refusal with this reason.
            if (!(await GetTaskInfoAsync(task, ct)).IsFinished) throw;
            _logger.LogInformation("Task {Task} had already ended when cancel was asked.", task.Value);
        }
    }

    /// <summary>
    /// Follows a task to its end and reports every progress change. WaitForUpdatesEx on a collector of its own wakes as
    /// soon as vCenter changes the task (no busy polling); if vCenter refuses the collector or filter, it polls instead.
    /// A session that expires mid-wait is replaced once by <see cref="InvokeAsync(string, MoRef, IEnumerable{object?}, CancellationToken)"/>,
    /// and the collector (which died with the old session) is recreated.
    /// </summary>
    public async Task<VimTaskInfo> WaitForTaskAsync(MoRef task, Func<VimTaskInfo, Task>? onProgress, CancellationToken ct)
    {
        if (!_options.UseWaitForUpdates) return await PollTaskAsync(task, onProgress, ct);
        // Quick tasks (a reconfigure) are often done by the time they are looked at: one direct read saves setting up a
        // collector and waiting for its next update cycle.
        var first = await GetTaskInfoAsync(task, ct);
        if (!first.IsFinished && first.Progress == 0)
        {
            await Task.Delay(QuickTaskRecheck, ct);
            first = await GetTaskInfoAsync(task, ct);
        }

        if (first.IsFinished)
        {
            if (onProgress is not null) await onProgress(first);
            return first;
        }

        var state = new VimObject(task, []);
        var lastReported = (State: "", Progress: -1);
        async Task<VimTaskInfo?> Report()
        {
            var info = VimTaskInfo.From(state);
            if (onProgress is not null && (info.State, info.Progress) != lastReported)
            {
                lastReported = (info.State, info.Progress);
                await onProgress(info);
            }

            return info.IsFinished ? info : null;
        }

        for (var restarts = 0; ; restarts++)
        {
            MoRef collector;
            var generation = SessionGeneration;
            try
            {
                collector = MoRef.Parse((await InvokeAsync("CreatePropertyCollector", Content.PropertyCollector, ct)).Child("returnval")!);
                await InvokeAsync("CreateFilter", collector, ct,
                    Vim.E("spec", PropSet("Task", TaskPaths), Vim.E("objectSet", task.ToXml("obj"), Vim.E("skip", "false"))),
                    Vim.E("partialUpdates", "false"));
            }
            catch (VimFaultException e) when (e.FaultType is "NotImplemented" or "NotSupported" or "MethodNotFound" or "InvalidRequest")
            {
                _logger.LogInformation("vCenter refused a property filter ({Fault}); polling task {Task} instead.", e.FaultType, task.Value);
                return await PollTaskAsync(task, onProgress, ct);
            }

            try
            {
                var version = "";
                while (true)
                {
                    XElement response;
                    try
                    {
                        response = await InvokeAsync("WaitForUpdatesEx", collector, ct, Vim.E("version", version),
                            Vim.E("options", Vim.E("maxWaitSeconds", (int)_options.WaitForUpdatesMaxWait.TotalSeconds)));
                    }
                    catch (VimFaultException e) when (restarts < 3 && e.FaultType is "ManagedObjectNotFound" or "NotAuthenticated" or "InvalidCollectorVersion")
                    {
                        // The collector belongs to the session: when the session has gone, vCenter reports the collector
                        // as not found (or the session as not authenticated). Reading the task directly signs in again if
                        // needed (and fails properly if the task itself is gone); then a new collector picks up from there.
                        _logger.LogInformation("Watching task {Task} lost its property collector ({Fault}); checking the session and starting over.", task.Value, e.FaultType);
                        var direct = await GetTaskInfoAsync(task, ct);
                        if (direct.IsFinished)
                        {
                            if (onProgress is not null) await onProgress(direct);
                            return direct;
                        }

                        break;
                    }

                    var set = response.Child("returnval");
                    if (set is null) continue; // maxWaitSeconds passed without a change
                    version = set.ChildValue("version") ?? version;
                    foreach (var update in set.Children("filterSet").SelectMany(f => f.Children("objectSet")))
                        foreach (var change in update.Children("changeSet"))
                            state.Set(change.ChildValue("name") ?? "", change.ChildValue("op") is "remove" or "indirectRemove" ? null : change.Child("val"));
                    if (await Report() is { } done) return done;
                }
            }
            finally
            {
                if (SessionGeneration == generation) await DestroyQuietlyAsync(collector);
            }
        }
    }

    private async Task<VimTaskInfo> PollTaskAsync(MoRef task, Func<VimTaskInfo, Task>? onProgress, CancellationToken ct)
    {
        var last = (State: "", Progress: -1);
        while (true)
        {
            var info = await GetTaskInfoAsync(task, ct);
            if (onProgress is not null && (info.State, info.Progress) != last)
            {
                last = (info.State, info.Progress);
                await onProgress(info);
            }

            if (info.IsFinished) return info;
            await Task.Delay(_options.TaskPollInterval, ct);
        }
    }

    private async Task DestroyQuietlyAsync(MoRef collector)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await SendAsync(Vim.E("DestroyPropertyCollector", collector.ToXml("_this")), cts.Token);
        }
        catch (Exception e) when (e is ConnectorException or OperationCanceledException)
        {
            _logger.LogDebug("Could not destroy property collector {Collector}: {Message}", collector.Value, e.Message);
        }
    }

    /// <summary>Runs a task to its end and throws its fault if it failed.</summary>
    public async Task<VimTaskInfo> RunTaskAsync(string method, MoRef target, CancellationToken ct, params object?[] arguments)
    {
        var task = await StartTaskAsync(method, target, ct, arguments);
        var info = await WaitForTaskAsync(task, null, ct);
        if (info.State == "error") throw info.Error ?? new VimFaultException("TaskFailed", $"vCenter task {task.Value} ({method}) failed.");
        return info;
    }

    public async Task LogoutAsync(CancellationToken ct)
    {
        if (_restSession is { } session)
        {
            _restSession = null;
            using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri(_sdk, "/rest/com/vmware/cis/session"));
            request.Headers.TryAddWithoutValidation(RestSessionHeader, session);
            using var _ = await SendHttpAsync(request, "the REST sign-out", ct);
        }

        if (string.IsNullOrEmpty(_user) || Content is null) return;
        await SendAsync(Vim.E("Logout", Content.SessionManager.ToXml("_this")), ct);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await LogoutAsync(cts.Token);
        }
        catch (Exception e) when (e is ConnectorException or OperationCanceledException)
        {
            _logger.LogDebug("Logout from {Endpoint} failed: {Message}", _sdk, e.Message);
        }

        _http.Dispose();
        _loginLock.Dispose();
    }

    private static VimObject ParseObjectContent(XElement objectContent)
    {
        var reference = MoRef.Parse(objectContent.Child("obj")!);
        var properties = new Dictionary<string, XElement>(StringComparer.Ordinal);
        foreach (var prop in objectContent.Children("propSet"))
            if (prop.ChildValue("name") is { } name && prop.Child("val") is { } val) properties[name] = val;
        return new VimObject(reference, properties);
    }

    /// <summary>Sends one HTTP request (SOAP or REST) and turns transport failures into typed connector errors.</summary>
    private async Task<HttpResponseMessage> SendHttpAsync(HttpRequestMessage request, string what, CancellationToken ct)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException || Certificates.RefusalReason is not null && e.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            throw new ConnectorException("CertificateNotTrusted", Certificates.RefusalReason ?? $"The TLS handshake with {_sdk.Authority} failed: {e.InnerException?.Message ?? e.Message}", e);
        }
        catch (HttpRequestException e)
        {
            throw new ConnectorException("HostUnreachable", $"Cannot reach vCenter at {_sdk.GetLeftPart(UriPartial.Authority)}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new ConnectorException("Timedout", $"vCenter at {_sdk.Authority} did not answer {what} within {_http.Timeout.TotalSeconds:0} s.", e);
        }
    }

    /// <summary>
    /// Calls vCenter's vAPI REST endpoint (<c>/rest/...</c>, used for tags, which vim25 does not expose) over the same
    /// pinned TLS connection. Signs in to it with the connection's credentials on first use (POST
    /// /rest/com/vmware/cis/session, Basic) and once more when it answers 401. Returns the answer's <c>value</c>, or null when
    /// there is none (vCenter omits empty lists).
    /// </summary>
    public async Task<JsonElement?> RestAsync(HttpMethod method, string pathAndQuery, object? body, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var session = _restSession ??= await RestLoginAsync(ct);
            using var request = new HttpRequestMessage(method, new Uri(_sdk, "/rest" + pathAndQuery));
            request.Headers.TryAddWithoutValidation(RestSessionHeader, session);
            if (body is not null) request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
            using var response = await SendHttpAsync(request, $"{method} {pathAndQuery}", ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                // The REST session expired or vCenter restarted: sign in again once, as for SOAP.
                _restSession = null;
                continue;
            }

            if (!response.IsSuccessStatusCode) throw RestFault(response.StatusCode, text, $"{method} /rest{pathAndQuery}");
            if (string.IsNullOrWhiteSpace(text)) return null;
            try
            {
                using var document = JsonDocument.Parse(text);
                return document.RootElement.TryGetProperty("value", out var value) ? value.Clone() : null;
            }
            catch (JsonException e)
            {
                throw new VimFaultException("InvalidResponse", $"vCenter answered {method} /rest{pathAndQuery} with HTTP {(int)response.StatusCode} and no readable JSON: {e.Message}");
            }
        }
    }

    private async Task<string> RestLoginAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_sdk, "/rest/com/vmware/cis/session"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_user}:{_password}")));
        using var response = await SendHttpAsync(request, "the REST sign-in", ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw RestFault(response.StatusCode, text, "the REST sign-in (POST /rest/com/vmware/cis/session)");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()!
            : throw new VimFaultException("InvalidResponse", "vCenter's REST sign-in returned no session ID.");
    }

    /// <summary>A vAPI error ({"type": "com.vmware.vapi.std.errors.unauthenticated", "value": {"messages": [...]}}) as a typed fault with vCenter's text.</summary>
    private static VimFaultException RestFault(HttpStatusCode status, string text, string what)
    {
        string? type = null, message = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.TryGetProperty("type", out var t)) type = t.GetString();
            if (root.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Object && v.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
                message = string.Join(" ", messages.EnumerateArray().Select(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("default_message", out var d) ? d.GetString() : m.ToString()));
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page): the status says enough.
        }

        var faultType = status == HttpStatusCode.Unauthorized ? "NotAuthenticated" : type?.Split('.')[^1] ?? $"Http{(int)status}";
        return new VimFaultException(faultType, $"vCenter answered {what} with HTTP {(int)status}{(type is null ? "" : $" ({type})")}{(string.IsNullOrWhiteSpace(message) ? "." : ": " + message)}");
    }

    /// <summary>Posts one SOAP envelope; returns the body's response element or throws the fault it carries.</summary>
    private async Task<XElement> SendAsync(XElement call, CancellationToken ct)
    {
        var envelope = new XElement(Vim.Soap + "Envelope",
            new XAttribute(XNamespace.Xmlns + "soapenv", Vim.Soap.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "xsi", Vim.Xsi.NamespaceName),
            new XElement(Vim.Soap + "Body", call));
        using var request = new HttpRequestMessage(HttpMethod.Post, _sdk)
        {
            Content = new StringContent("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + envelope.ToString(SaveOptions.DisableFormatting), Encoding.UTF8, "text/xml"),
        };
        request.Headers.TryAddWithoutValidation("SOAPAction", "urn:vim25/" + _options.ApiVersion);
        using (var response = await SendHttpAsync(request, call.Name.LocalName, ct))
        {
            XDocument document;
            try
            {
                // Buffered, then parsed synchronously: the async XmlReader costs several times more on large property collections.
                var bytes = await response.Content.ReadAsByteArrayAsync(ct);
                using var stream = new MemoryStream(bytes, writable: false);
                document = XDocument.Load(stream, LoadOptions.None);
            }
            catch (XmlException e)
            {
                throw new VimFaultException("InvalidResponse", $"vCenter answered {call.Name.LocalName} with HTTP {(int)response.StatusCode} and no readable SOAP envelope: {e.Message}");
            }

            var body = document.Root?.Element(Vim.Soap + "Body");
            var first = body?.Elements().FirstOrDefault();
            if (first is null)
                throw new VimFaultException("InvalidResponse", $"vCenter answered {call.Name.LocalName} with HTTP {(int)response.StatusCode} and an empty SOAP body.");
            if (first.Name == Vim.Soap + "Fault") throw VimFaultException.FromSoapFault(first);
            return first;
        }
    }
}

/// <summary>The parts of ServiceContent the connector uses.</summary>
public sealed record VimServiceContent(MoRef RootFolder, MoRef PropertyCollector, MoRef ViewManager, MoRef SessionManager, MoRef? CustomFieldsManager,
    string FullName, string ApiVersion, string InstanceUuid)
{
    internal static VimServiceContent Parse(XElement content)
    {
        MoRef Required(string name) => MoRef.Parse(content.Child(name) ?? throw new VimFaultException("InvalidResponse", $"vCenter's service content has no {name}."));
        var about = content.Child("about");
        return new VimServiceContent(Required("rootFolder"), Required("propertyCollector"), Required("viewManager"), Required("sessionManager"),
            content.Child("customFieldsManager") is { } cfm ? MoRef.Parse(cfm) : null,
            about?.ChildValue("fullName") ?? "vCenter", about?.ChildValue("apiVersion") ?? "", about?.ChildValue("instanceUuid") ?? "");
    }
}
