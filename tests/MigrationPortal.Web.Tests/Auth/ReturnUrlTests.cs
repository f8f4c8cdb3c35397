using System.Net;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http;

namespace MigrationPortal.Web.Tests.Auth;

/// <summary>After sign-in, local and Entra ID alike, the browser goes only to a plain local path; anything else goes home.</summary>
public sealed class ReturnUrlTests
{
    public static TheoryData<string> Hostile => new()
    {
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "https://evil.example/",
        "/requests\u0001x",
        "/requests\r\nSet-Cookie: x=1",
        "/r\u00e9quests",
        " /requests",
    };

    public sealed class LocalFactory : PortalWebFactory
    {
        protected override bool UseTestAuthentication => false;
    }

    public sealed class Local(LocalFactory factory) : IClassFixture<LocalFactory>
    {
        [Theory]
        [MemberData(nameof(Hostile), MemberType = typeof(ReturnUrlTests))]
        public async Task SignIn_RedirectsHome_WhenReturnUrlIsNotAPlainLocalPath(string returnUrl)
        {
            var userName = await SignInForm.CreateUserAsync(factory.Services);
            using var client = factory.ClientFor(null);
            using var response = await SignInForm.PostAsync(client, userName, SignInForm.Password, returnUrl);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/", response.Headers.Location!.OriginalString);
        }

        [Fact]
        public async Task SignIn_KeepsReturnUrl_WhenItIsALocalPathWithQuery()
        {
            var userName = await SignInForm.CreateUserAsync(factory.Services);
            using var client = factory.ClientFor(null);
            using var response = await SignInForm.PostAsync(client, userName, SignInForm.Password, "/requests?state=Running#top");
            Assert.Equal("/requests?state=Running#top", response.Headers.Location!.OriginalString);
        }
    }

    /// <summary>Entra ID configured; the OpenID Connect handler is replaced by one that reports where it would return to.</summary>
    public sealed class EntraFactory : PortalWebFactory
    {
        protected override bool UseTestAuthentication => false;

        protected override IEnumerable<(string Key, string Value)> ExtraSettings =>
        [
            ("AzureAd:Instance", "https://login.microsoftonline.com/"), ("AzureAd:TenantId", "11111111-1111-1111-1111-111111111111"),
            ("AzureAd:ClientId", "22222222-2222-2222-2222-222222222222"), ("AzureAd:CallbackPath", "/signin-oidc"),
        ];

        protected override void ConfigureServices(IServiceCollection services) =>
            services.Configure<AuthenticationOptions>(o => o.SchemeMap[OpenIdConnectDefaults.AuthenticationScheme].HandlerType = typeof(ReportingChallengeHandler));
    }

    public sealed class ReportingChallengeHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());

        protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = 401;
            Response.Headers["X-Return-To"] = Uri.EscapeDataString(properties.RedirectUri ?? "");
            // A body, so the friendly status-code page does not replace this answer.
            return Response.WriteAsync("challenged");
        }
    }

    public sealed class Entra(EntraFactory factory) : IClassFixture<EntraFactory>
    {
        [Theory]
        [MemberData(nameof(Hostile), MemberType = typeof(ReturnUrlTests))]
        public async Task EntraSignIn_ReturnsHome_WhenReturnUrlIsNotAPlainLocalPath(string returnUrl)
        {
            using var client = factory.ClientFor(null);
            using var response = await client.GetAsync($"/account/entra-login?returnUrl={Uri.EscapeDataString(returnUrl)}");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("/", Uri.UnescapeDataString(response.Headers.GetValues("X-Return-To").Single()));
        }

        [Fact]
        public async Task EntraSignIn_KeepsReturnUrl_WhenItIsALocalPath()
        {
            using var client = factory.ClientFor(null);
            using var response = await client.GetAsync("/account/entra-login?returnUrl=%2Frequests%3Fstate%3DRunning");
            Assert.Equal("/requests?state=Running", Uri.UnescapeDataString(response.Headers.GetValues("X-Return-To").Single()));
        }
    }
}
