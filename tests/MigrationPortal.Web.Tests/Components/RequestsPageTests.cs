using Bunit;
using RequestsPage = MigrationPortal.Web.Components.Pages.Requests;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>The requests list (issue 13 §3, §5): an empty list says what to do next, and only to those who may do it.</summary>
public sealed class RequestsPageTests(PortalWebFactory factory) : PortalPageTestContext(factory), IClassFixture<PortalWebFactory>
{
    [Fact]
    public void Requests_OffersTheWizard_WhenARequesterHasNoRequestYet()
    {
        var cut = RenderAs<RequestsPage>(User($"u-{Guid.NewGuid():N}", "New Requester", "Requester"));

        cut.WaitForAssertion(() => Assert.Contains("No request yet.", cut.Find("[data-testid=requests-empty]").TextContent));
        Assert.Contains(cut.FindAll("[data-testid=requests-empty] a"), a => a.GetAttribute("href") == "/requests/new");
    }

    [Fact]
    public void Requests_SaysTheListIsEmpty_WithoutALinkTheUserCannotFollow()
    {
        // An application owner without the Requester role sees only their applications' requests: none here.
        var cut = RenderAs<RequestsPage>(User($"u-{Guid.NewGuid():N}", "Owner Only"));

        cut.WaitForAssertion(() => Assert.Contains("No request yet.", cut.Find("[data-testid=requests-empty]").TextContent));
        Assert.DoesNotContain(cut.FindAll("[data-testid=requests-empty] a"), a => a.GetAttribute("href") == "/requests/new");
    }
}
