using System.Diagnostics.CodeAnalysis;

namespace MigrationPortal.Web.Auth;

/// <summary>
/// The one check for where a browser may be sent after signing in (local form and Entra ID alike): a plain path on this
/// site, in printable ASCII. "//host", "/\host" and "/\t/host" leave the site in browsers; control and non-ASCII
/// characters cannot go into a Location header (Kestrel refuses them with a 500). Anything else goes home.
/// </summary>
public static class LocalUrl
{
    private const int MaxLength = 2048;

    public static string OrHome(string? url) => IsPlainLocalPath(url) ? url : "/";

    public static bool IsPlainLocalPath([NotNullWhen(true)] string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > MaxLength || url[0] != '/') return false;
        if (url.Length > 1 && url[1] is '/' or '\\') return false;
        foreach (var c in url)
        {
            // Space and below are controls or separators browsers strip; backslash reads as a slash; 0x7F and up are not header-safe.
            if (c <= ' ' || c >= '\u007f' || c == '\\') return false;
        }

        return true;
    }
}
