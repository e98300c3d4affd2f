using Letterbox.Core;
using Letterbox.Core.Options;
using Letterbox.Net;
using Letterbox.Store;
using Microsoft.Extensions.Logging;

namespace Letterbox.Hosting;

/// <summary>What every protocol handler is built from.</summary>
public sealed record ServerServices(
    LetterboxOptions Options,
    HostName HostName,
    IMailStore Store,
    IAuthenticator Authenticator,
    TlsContext Tls,
    ILoggerFactory LoggerFactory);
