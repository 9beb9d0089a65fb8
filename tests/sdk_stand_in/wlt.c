/* A stand-in for a vendor's WLT photo decoder (libwlt.so / libWltRS.so on Linux):
 *   int unpack(char *wlt, char *bmp, int bmpSave)
 * takes the card's 1024-byte WLT photo and gives a 102×126 24-bit BMP of 38,862 bytes (header
 * included) in `bmp`; returns 1 on success. The picture is made deterministically from the input
 * (the real one decrypts it); input starting with 0xFF fails with -1, like a damaged photo.
 * `bmpSave` (write zp.bmp too) is ignored. */
#include <string.h>

#define W 102
#define H 126
#define ROW 308 /* 102 * 3 padded to 4 */
#define SIZE (54 + ROW * H)

static void le32(unsigned char *at, unsigned int value) {
    for (int i = 0; i < 4; i++) at[i] = (unsigned char)(value >> (8 * i));
}

int unpack(char *wlt, char *bmp, int bmpSave) {
    (void)bmpSave;
    const unsigned char *in = (const unsigned char *)wlt;
    unsigned char *out = (unsigned char *)bmp;
    if (in[0] == 0xFF) return -1;
    memset(out, 0, SIZE);
    out[0] = 'B', out[1] = 'M';
    le32(out + 2, SIZE);
    le32(out + 10, 54);
    le32(out + 14, 40);
    le32(out + 18, W);
    le32(out + 22, H);
    out[26] = 1, out[28] = 24;
    le32(out + 34, ROW * H);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++)
                out[54 + y * ROW + x * 3 + c] = in[(y * W + x + c) % 1024] ^ (unsigned char)(x + y);
    return 1;
}
