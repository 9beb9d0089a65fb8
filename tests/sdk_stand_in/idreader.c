/* A stand-in for an ID card reader's vendor library, exporting both API families the driver
 * (app/devices/sdk_reader.py) speaks: the sdtapi reference API (SDT_*) and the termb API
 * (InitComm, Authenticate, Read_Content, GetPeople* …; with -DCVR_NAMES the newer CVR_-prefixed
 * names instead). It behaves as the real libraries do at their C boundary, with no reader:
 *
 *   STANDIN_CARD   a file with the card the reader "sees": 256 bytes of the card's text (UCS-2LE,
 *                  GA/T 467 layout) and 1024 of photo (WLT); empty or absent: no card.
 *   STANDIN_AFTER  the card appears only after this many searches (polls) since the port opened.
 *   STANDIN_FILES  "0": Read_Content writes no wz.txt/xp.wlt (a library that only has getters).
 *   port 9999      cannot be opened (the reader is not there).
 *
 * The termb getters return the fields as the real ones do: parsed from the card's text in C and
 * converted to GBK with iconv; dates of validity as YYYY.MM.DD, birth as YYYYMMDD. Read_Content
 * writes wz.txt (the raw text) and xp.wlt (the photo) into the working directory, as real ones do.
 */
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT 256
#define PHOTO 1024

static unsigned char card[TEXT + PHOTO];
static int port_open, polls, found, selected, have_content, open_count;

static const char *NATIONS[] = {
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡",
    "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬",
    "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安",
    "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"};

static int load_card(void) {
    const char *path = getenv("STANDIN_CARD");
    if (!path) return 0;
    FILE *file = fopen(path, "rb");
    if (!file) return 0;
    size_t got = fread(card, 1, sizeof card, file);
    fclose(file);
    return got == sizeof card;
}

static int card_present(void) {
    const char *after = getenv("STANDIN_AFTER");
    polls++;
    if (after && polls <= atoi(after)) return 0;
    return load_card();
}

static void opened(int port) {
    port_open = port;
    polls = found = selected = have_content = 0;
    open_count++;
}

/* ---- sdtapi ---------------------------------------------------------------------------- */

int SDT_OpenPort(int iPort) {
    if (iPort == 9999) return 0x01; /* 端口打开失败 */
    opened(iPort);
    return 0x90;
}

int SDT_ClosePort(int iPort) {
    if (!port_open || iPort != port_open) return 0x02; /* 端口尚未打开 */
    port_open = 0;
    open_count--;
    return 0x90;
}

int SDT_StartFindIDCard(int iPort, unsigned char *pucManaInfo, int iIfOpen) {
    (void)iIfOpen;
    if (!port_open || iPort != port_open) return 0x02;
    found = selected = 0;
    if (!card_present()) return 0x80;
    memset(pucManaInfo, 0, 4);
    found = 1;
    return 0x9F;
}

int SDT_SelectIDCard(int iPort, unsigned char *pucManaMsg, int iIfOpen) {
    (void)iIfOpen;
    if (!port_open || iPort != port_open) return 0x02;
    if (!found) return 0x81;
    memset(pucManaMsg, 0, 8);
    selected = 1;
    return 0x90;
}

int SDT_ReadBaseMsg(int iPort, unsigned char *pucCHMsg, unsigned int *puiCHMsgLen,
                    unsigned char *pucPHMsg, unsigned int *puiPHMsgLen, int iIfOpen) {
    (void)iIfOpen;
    if (!port_open || iPort != port_open) return 0x02;
    if (!selected) return 0x41;
    memcpy(pucCHMsg, card, TEXT);
    *puiCHMsgLen = TEXT;
    memcpy(pucPHMsg, card + TEXT, PHOTO);
    *puiPHMsgLen = PHOTO;
    found = selected = 0;
    return 0x90;
}

/* ---- termb ----------------------------------------------------------------------------- */

#ifdef CVR_NAMES
#define TERMB(name) CVR_##name
#else
#define TERMB(name) name
#endif

int TERMB(InitComm)(int port) {
    if (port == 9999) return 2; /* 打开端口失败 */
    opened(port);
    return 1;
}

int TERMB(CloseComm)(void) {
    if (!port_open) return 0;
    port_open = 0;
    open_count--;
    return 1;
}

int TERMB(Authenticate)(void) {
    if (!port_open) return 4; /* 读卡器未连接 */
    have_content = 0;
    if (!card_present()) return 2; /* 寻卡失败 */
    found = selected = 1;
    return 1;
}

static char kind(void) {
    char flag = (char)card[248];
    return (flag == 'I' || flag == 'J' || flag == 'Y') && card[249] == 0 ? flag : ' ';
}

static void write_file(const char *name, const unsigned char *data, size_t size) {
    FILE *file = fopen(name, "wb");
    if (!file) return;
    fwrite(data, 1, size, file);
    fclose(file);
}

int TERMB(Read_Content)(int active) {
    if (!port_open) return 4;
    if (!selected || active < 1 || active > 4) return 0;
    have_content = 1;
    selected = found = 0;
    const char *files = getenv("STANDIN_FILES");
    if (!files || strcmp(files, "0") != 0) {
        write_file("wz.txt", card, TEXT);
        write_file("xp.wlt", card + TEXT, PHOTO);
    }
    switch (kind()) { /* newer libraries tell the kind: 2 a foreigner's card, 3 a permit */
    case 'I': case 'Y': return 2;
    case 'J': return 3;
    default: return 1;
    }
}

/* A field of the card's text as UCS-2LE without the padding spaces; `keep` keeps them. */
static size_t field(int at, int size, unsigned char *out, int keep) {
    size_t n = (size_t)size;
    memcpy(out, card + at, n);
    while (!keep && n >= 2 && (out[n - 2] == ' ' || out[n - 2] == 0) && out[n - 1] == 0) n -= 2;
    return n;
}

/* UCS-2LE to GBK into the caller's buffer: *len in is its size, out the string's length. */
static int give(const unsigned char *ucs, size_t size, unsigned char *buf, int *len) {
    char gbk[512];
    char *in = (char *)ucs, *out = gbk;
    size_t in_left = size, out_left = sizeof gbk;
    iconv_t cd = iconv_open("GBK", "UCS-2LE");
    if (cd == (iconv_t)-1) return 0;
    size_t done = iconv(cd, &in, &in_left, &out, &out_left);
    iconv_close(cd);
    if (done == (size_t)-1) return 0;
    size_t n = sizeof gbk - out_left;
    if (!buf || !len || *len < 0 || (size_t)*len < n + 1) return 0;
    memcpy(buf, gbk, n);
    buf[n] = 0;
    *len = (int)n;
    return 1;
}

static int give_field(int at, int size, unsigned char *buf, int *len) {
    unsigned char raw[TEXT];
    if (!have_content) return 0;
    return give(raw, field(at, size, raw, 0), buf, len);
}

static int give_utf8(const char *text, unsigned char *buf, int *len) {
    unsigned char ucs[256];
    char *in = (char *)text, *out = (char *)ucs;
    size_t in_left = strlen(text), out_left = sizeof ucs;
    iconv_t cd = iconv_open("UCS-2LE", "UTF-8");
    if (cd == (iconv_t)-1) return 0;
    iconv(cd, &in, &in_left, &out, &out_left);
    iconv_close(cd);
    return give(ucs, sizeof ucs - out_left, buf, len);
}

/* Offsets of each field by kind (see app/devices/gat467.py). */
static int is_foreign(void) { return kind() == 'I' || kind() == 'Y'; }

int GetCertType(unsigned char *buf, int *len) {
    char flag[2] = {kind(), 0};
    return have_content ? give_utf8(flag, buf, len) : 0;
}

int GetPeopleName(unsigned char *buf, int *len) { /* foreigners: the English name */
    if (kind() == 'I') return give_field(0, 120, buf, len);
    if (kind() == 'Y') {
        unsigned char more[22], both[92];
        size_t more_size = field(220, 22, more, 0);
        if (!have_content) return 0;
        if (!more_size) return give_field(52, 70, buf, len);
        memcpy(both, card + 52, 70);
        memcpy(both + 70, more, more_size);
        return give(both, 70 + more_size, buf, len);
    }
    return give_field(0, 30, buf, len);
}

int GetPeopleChineseName(unsigned char *buf, int *len) {
    if (kind() == 'I') return give_field(158, 30, buf, len);
    return give_field(0, 30, buf, len);
}

int GetPeopleSex(unsigned char *buf, int *len) {
    int at = kind() == 'I' ? 120 : 30;
    if (!have_content) return 0;
    switch (card[at]) {
    case '1': return give_utf8("男", buf, len);
    case '2': return give_utf8("女", buf, len);
    case '9': return give_utf8("未说明", buf, len);
    default: return give_utf8("未知", buf, len);
    }
}

int GetPeopleNation(unsigned char *buf, int *len) { /* foreigners: the nationality code */
    if (kind() == 'I') return give_field(152, 6, buf, len);
    if (kind() == 'Y') return give_field(242, 6, buf, len);
    if (!have_content) return 0;
    int code = (card[32] - '0') * 10 + (card[34] - '0');
    if (code >= 1 && code <= 56) return give_utf8(NATIONS[code - 1], buf, len);
    return give_field(32, 4, buf, len);
}

int GetNationCode(unsigned char *buf, int *len) {
    return is_foreign() ? give_utf8("", buf, len) : give_field(32, 4, buf, len);
}

int GetPeopleBirthday(unsigned char *buf, int *len) {
    return give_field(kind() == 'I' ? 220 : 36, 16, buf, len);
}

int GetPeopleAddress(unsigned char *buf, int *len) {
    return is_foreign() ? give_utf8("", buf, len) : give_field(52, 70, buf, len);
}

int GetPeopleIDCode(unsigned char *buf, int *len) {
    return give_field(122, kind() == 'I' ? 30 : 36, buf, len);
}

int GetDepartment(unsigned char *buf, int *len) {
    if (kind() == 'I') return give_field(240, 8, buf, len);
    if (kind() == 'Y') return give_utf8("", buf, len);
    return give_field(158, 30, buf, len);
}

/* YYYYMMDD as YYYY.MM.DD; anything else (长期) as it is. */
static int give_date(int at, unsigned char *buf, int *len) {
    unsigned char raw[16];
    size_t n = field(at, 16, raw, 0);
    if (!have_content) return 0;
    if (n != 16 || raw[0] < '0' || raw[0] > '9') return give(raw, n, buf, len);
    unsigned char dotted[20];
    memcpy(dotted, raw, 8);
    dotted[8] = '.', dotted[9] = 0;
    memcpy(dotted + 10, raw + 8, 4);
    dotted[14] = '.', dotted[15] = 0;
    memcpy(dotted + 16, raw + 12, 4);
    return give(dotted, 20, buf, len);
}

int GetStartDate(unsigned char *buf, int *len) { return give_date(188, buf, len); }
int GetEndDate(unsigned char *buf, int *len) { return give_date(204, buf, len); }

int GetPassCheckID(unsigned char *buf, int *len) {
    return kind() == 'J' ? give_field(220, 18, buf, len) : give_utf8("", buf, len);
}

int GetIssuesNum(int *number) {
    int at = kind() == 'J' ? 238 : kind() == 'Y' ? 32 : -1;
    if (!have_content || at < 0) return 0;
    *number = (card[at] - '0') * 10 + (card[at + 2] - '0');
    return 1;
}

/* For the tests: how many ports are open now (each read must close what it opened). */
int standin_open_ports(void) { return open_count; }
