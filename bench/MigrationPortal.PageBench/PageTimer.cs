using System.Text.Json;
using Microsoft.Playwright;

namespace MigrationPortal.PageBench;

/// <summary>One main page of the portal: a stable name (used for screenshot files too) and its address.</summary>
internal sealed record PortalPage(string Name, string Path);

/// <summary>What one load of a page measured, in milliseconds from the navigation's start (Navigation Timing's time origin).</summary>
internal sealed record PageLoad(double Interactive, double FirstByte, double DomContentLoaded, int TableRows, string Text);

/// <summary>
/// Time to interactive, as the benchmark defines it: from the navigation's start (performance.timeOrigin) to the last DOM
/// change after which, for <see cref="QuietMs"/> ms with no further change, all of these hold:
/// 1. the layout's &lt;main&gt; carries data-testid="interactive", which MainLayout renders only once the Blazor circuit is
///    connected and the layout has rendered interactively (before that it says "prerendered" and no button works);
/// 2. nothing inside &lt;main&gt; shows a loading state: no indeterminate MudProgress (the pages' "loading" bar) and no
///    MudDataGrid loading row (.mud-table-loading).
/// The quiet period is what makes "with its data" page-agnostic: a server-paged grid first renders interactively with no
/// rows and no loading row, then asks for its page; the first moment (1 and 2) hold is then too early, while the last
/// change before the page settles is when its rows arrived. An init script installs a MutationObserver at document start;
/// Blazor applies each render batch synchronously, so the observer sees whole batches, never half of one.
/// </summary>
internal static class PageTimer
{
    public const int QuietMs = 500;

    public static readonly string InitScript = """
        (() => {
          window.__portalReady = new Promise(resolve => {
            const ready = () => {
              const main = document.querySelector('main[data-testid=interactive]');
              if (!main) return false;
              return !main.querySelector('.mud-progress-indeterminate, .mud-table-loading, .mud-skeleton');
            };
            let last = null, timer = null;
            const observer = new MutationObserver(() => {
              clearTimeout(timer);
              if (!ready()) { last = null; return; }
              last = performance.now();
              timer = setTimeout(() => { observer.disconnect(); resolve(last); }, QUIET);
            });
            observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
          });
        })();
        """.Replace("QUIET", QuietMs.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static async Task<PageLoad> LoadAsync(IPage page, string path, float timeoutMs = 30_000)
    {
        await page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.Commit, Timeout = timeoutMs });
        if (new Uri(page.Url).AbsolutePath.StartsWith("/login", StringComparison.Ordinal))
            throw new InvalidOperationException($"{path} sent the browser to the sign-in page.");
        var json = await page.EvaluateAsync<JsonElement>($$"""
            async () => {
              const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('not interactive within {{timeoutMs}} ms')), {{timeoutMs}}));
              const interactive = await Promise.race([window.__portalReady, timeout]);
              const nav = performance.getEntriesByType('navigation')[0];
              const main = document.querySelector('main');
              return { interactive, firstByte: nav.responseStart, dcl: nav.domContentLoadedEventEnd, rows: main ? main.querySelectorAll('tbody tr').length : 0,
                       text: (main ? main.innerText : '').replace(/\s+/g, ' ').trim().slice(0, 100) };
            }
            """);
        return new PageLoad(json.GetProperty("interactive").GetDouble(), json.GetProperty("firstByte").GetDouble(),
            json.GetProperty("dcl").GetDouble(), json.GetProperty("rows").GetInt32(), json.GetProperty("text").GetString() ?? "");
    }

    public static async Task SignInAsync(IPage page, string userName, string password)
    {
        await page.GotoAsync("/login");
        await page.FillAsync("input[name=userName]", userName);
        await page.FillAsync("input[name=password]", password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/login"), new PageWaitForURLOptions { Timeout = 60_000 });
    }

    public static IReadOnlyList<PortalPage> MainPages(SeededPortal seeded) =>
    [
        new("home", "/"),
        new("inventory", "/inventory"),
        new("requests", "/requests"),
        new("request-detail", $"/requests/{seeded.RequestId}"),
        new("approvals", "/approvals"),
        new("audit", "/audit"),
        new("calendar", "/calendar"),
        new("windows", "/windows"),
        new("admin", "/admin"),
        new("host", $"/hosts/{seeded.HostId}"),
        new("vm", $"/vms/{seeded.VmId}"),
        new("new-request", "/requests/new"),
        new("rules", "/rules"),
        new("optimize", "/optimize"),
    ];
}
