using System.Net;
using System.Net.Http.Headers;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>
/// Plain HTTPS reads of files vCenter serves besides SOAP: datastore files (/folder) and export leases' disks (/nfc).
/// They go through the same handler as the SOAP calls, so the same certificate check (pin, CA or system trust) and the
/// same session cookie (vmware_soap_session, which vCenter checks on /folder) apply: a refused certificate fails the
/// handshake before any byte of a disk is read.
/// </summary>
public sealed partial class VimClient
{
    /// <summary>https://vcenter[:port], the base of /folder and of export URLs that name the host "*".</summary>
    public Uri ServerBase => new(_sdk.GetLeftPart(UriPartial.Authority));

    /// <summary>How long a read may wait for the server (a stalled disk stream fails after this, like a SOAP call).</summary>
    public TimeSpan RequestTimeout => _options.RequestTimeout;

    /// <summary>The vCenter's host[:port], for messages.</summary>
    public string Authority => _sdk.Authority;

    /// <summary>
    /// GETs a file from vCenter itself, from byte <paramref name="from"/> to <paramref name="to"/> (inclusive; null: to the
    /// end) when a range is given, and returns the response with its headers read and its body still to be streamed. Only
    /// vCenter's own host is accepted: the session cookie and the pinned certificate belong to it and to nothing else.
    /// A 401 (the session ended) signs in again once. Other statuses are returned for the caller to word.
    /// </summary>
    public async Task<HttpResponseMessage> GetFileAsync(Uri url, long? from, long? to, string what, CancellationToken ct)
    {
        if (!string.Equals(url.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal) || !string.Equals(url.Authority, _sdk.Authority, StringComparison.OrdinalIgnoreCase))
            throw new ConnectorException("UntrustedLocation",
                $"{what} is served at {url.GetLeftPart(UriPartial.Authority)}, not by vCenter {_sdk.Authority}: the connection's certificate check and session cover vCenter only, so it is not read.");
        for (var attempt = 0; ; attempt++)
        {
            var generation = SessionGeneration;
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (from is { } start) request.Headers.Range = new RangeHeaderValue(start, to);
            var response = await SendHttpAsync(request, what, ct);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && !string.IsNullOrEmpty(_user))
            {
                response.Dispose();
                await ReloginAsync(generation, ct);
                continue;
            }

            return response;
        }
    }
}
