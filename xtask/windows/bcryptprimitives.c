/* Wine 8.0 has no bcryptprimitives.dll, and every Rust >= 1.78 program for
 * Windows imports ProcessPrng from it. This stand-in, built with mingw-w64
 * into the test prefix only, answers through bcrypt's system RNG, as the
 * real DLL on Windows 10/11 does. It is never shipped. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
