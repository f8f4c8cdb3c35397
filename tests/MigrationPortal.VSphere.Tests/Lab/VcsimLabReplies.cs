using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace MigrationPortal.VSphere.Tests.Lab;

/// <summary>
/// The lab's "delayReply" injection (POST /lab/fault): the call runs at once (a *_Task method's task exists and runs) but
/// its reply is held back, as when vCenter's answer to a start call is lost on its way. Kept apart from <see cref="VcsimLab"/>
/// so that the harness file stays as it is.
/// </summary>
public static class VcsimLabReplies
{
    /// <summary>Holds the reply of the next <paramref name="count"/> calls of <paramref name="method"/> (on <paramref name="entity"/>, if given) for <paramref name="hold"/>.</summary>
    public static async Task<JsonObject> DelayReplyAsync(this VcsimLab lab, string method, TimeSpan hold, string? entity = null, int count = 1)
    {
        var thumbprint = lab.Thumbprint.Replace(":", "", StringComparison.Ordinal);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && Convert.ToHexString(SHA256.HashData(cert.RawData)) == thumbprint,
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(lab.SdkUrl.GetLeftPart(UriPartial.Authority)), Timeout = TimeSpan.FromSeconds(30) };
        var payload = new JsonObject { ["method"] = method, ["delayReply"] = $"{(long)hold.TotalMilliseconds}ms", ["entity"] = entity, ["count"] = count }.RemoveNulls();
        using var response = await http.PostAsJsonAsync("/lab/fault", payload);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST /lab/fault: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!.AsObject();
    }
}
