using System.Net;
using System.Security.Authentication;
using System.Text;
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
/// This file is the session and the SOAP transport; reading properties (Properties), the task watcher (Tasks) and the
/// vAPI REST client (Rest) are parts of their own.
/// </summary>
public sealed partial class VimClient : IAsyncDisposable
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
    string FullName, string ApiVersion, string InstanceUuid, MoRef? TaskManager = null)
{
    internal static VimServiceContent Parse(XElement content)
    {
        MoRef Required(string name) => MoRef.Parse(content.Child(name) ?? throw new VimFaultException("InvalidResponse", $"vCenter's service content has no {name}."));
        var about = content.Child("about");
        return new VimServiceContent(Required("rootFolder"), Required("propertyCollector"), Required("viewManager"), Required("sessionManager"),
            content.Child("customFieldsManager") is { } cfm ? MoRef.Parse(cfm) : null,
            about?.ChildValue("fullName") ?? "vCenter", about?.ChildValue("apiVersion") ?? "", about?.ChildValue("instanceUuid") ?? "",
            content.Child("taskManager") is { } tm ? MoRef.Parse(tm) : null);
    }
}
