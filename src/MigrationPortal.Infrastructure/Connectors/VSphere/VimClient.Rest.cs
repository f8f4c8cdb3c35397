using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace MigrationPortal.Infrastructure.Connectors.VSphere;

/// <summary>The vAPI REST client (tagging), over the same pinned TLS connection as the vim25 calls.</summary>
public sealed partial class VimClient
{
    private string? _restSession;

    private const string RestSessionHeader = "vmware-api-session-id";

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
}
