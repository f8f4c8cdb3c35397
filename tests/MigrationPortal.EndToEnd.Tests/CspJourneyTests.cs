using Microsoft.Playwright;

namespace MigrationPortal.EndToEnd.Tests;

/// <summary>
/// The portal's pages work in Chromium under the Content-Security-Policy the server sends: Blazor's circuit connects over
/// its WebSocket, MudBlazor's menus open, and the browser reports no violation on any page.
/// </summary>
public sealed class CspJourneyTests(PortalServer portal) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Pages_WorkWithoutViolations_UnderContentSecurityPolicy()
    {
        var operatorPage = await portal.SignInAsync("olga");
        foreach (var path in new[] { "/", "/inventory", "/requests", "/calendar", "/windows" })
        {
            var response = await operatorPage.GotoAsync(path);
            var csp = await response!.HeaderValueAsync("content-security-policy");
            Assert.True(csp is not null && csp.Contains("script-src 'self'") && csp.Contains("frame-ancestors 'none'"), $"{path} answered CSP '{csp}'.");
            // Interactive means blazor.web.js loaded and its WebSocket connected under connect-src.
            await PortalServer.WaitInteractiveAsync(operatorPage);
        }

        // A MudBlazor popover (script and inline styles at work): the requester's VM picker opens and lists VMs.
        var requester = await portal.SignInAsync("rita");
        await requester.GotoAsync("/requests/new");
        await PortalServer.WaitInteractiveAsync(requester);
        await requester.ClickAsync("[data-testid=vm-select]");
        await requester.Locator(".mud-popover-open .mud-list-item").First.WaitForAsync();

        var auditor = await portal.SignInAsync("aldo");
        await auditor.GotoAsync("/audit");
        await PortalServer.WaitInteractiveAsync(auditor);
        await auditor.ClickAsync("[data-testid=verify]");
        await auditor.Locator("[data-testid=verify-result]").WaitForAsync();

        Assert.Empty(portal.CspViolations);
    }
}
