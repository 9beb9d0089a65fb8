// The kiosk's on-screen keyboard: Qt Virtual Keyboard's InputPanel, hosted by kiosk/keyboard.py
// in a QQuickWidget at the bottom of the window. Which layout shows follows the focused field's
// input method hints; see kiosk/keyboard.py for the hints each kind of field gets.
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings

Rectangle {
    id: root

    // Off on a kiosk: every field counts as sensitive data, so the pinyin engine learns no words
    // and none pass from one citizen to the next (VirtualKeyboardSettings.userDataPath does not
    // reach it). Only the tests turn it on, to show that learning would be seen.
    property bool learnWords: false
    // Forwarded to VirtualKeyboardSettings.userDataPath (engines that honour it, not pinyin).
    property string userDataPath: ""
    // The widest the keys get: a full-width keyboard on a wide screen would be too tall.
    property real maxKeyboardWidth: 1280

    readonly property string effectiveUserDataPath: VirtualKeyboardSettings.userDataPath
    readonly property int effectiveHints: InputContext.inputMethodHints
    readonly property string preeditText: InputContext.preeditText
    readonly property var wordCandidates: InputContext.inputEngine.wordCandidateListModel
    readonly property string layoutUrl: inputPanel.keyboard.layout
    readonly property url idNumberLayout: Qt.resolvedUrl("IdNumberLayout.qml")

    implicitHeight: Math.ceil(inputPanel.height)
    color: "black"  // the default style's keyboard background, beside a narrower keyboard

    InputPanel {
        id: inputPanel
        objectName: "inputPanel"
        width: Math.min(root.width, root.maxKeyboardWidth)
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
    }

    Component.onCompleted: {
        VirtualKeyboardSettings.locale = "zh_CN"
        VirtualKeyboardSettings.activeLocales = ["zh_CN"]
        VirtualKeyboardSettings.handwritingModeDisabled = true
        // A constant height: the candidate bar does not come and go, so the screen above does
        // not jump at the first letter.
        VirtualKeyboardSettings.wordCandidateList.alwaysVisible = true
        applyLearning()
    }
    onLearnWordsChanged: applyLearning()
    onUserDataPathChanged: VirtualKeyboardSettings.userDataPath = userDataPath

    function applyLearning() {
        // OR-ed into every field's hints; the pinyin engine closes its user dictionary when it
        // sees ImhSensitiveData at its next reset.
        VirtualKeyboardSettings.inputMethodHints = learnWords ? Qt.ImhNone : Qt.ImhSensitiveData
    }

    // An ID number (digits and X) has no built-in layout: ImhDigitsOnly|ImhUppercaseOnly asks
    // for ours. This leans on the Keyboard's internal layout/updateLayout/updateInputMethod,
    // which test_keyboard.py pins.
    function wantsIdNumberLayout() {
        const both = Qt.ImhDigitsOnly | Qt.ImhUppercaseOnly
        return (InputContext.inputMethodHints & both) === both
    }

    function applyLayout() {
        const keyboard = inputPanel.keyboard
        const ours = idNumberLayout.toString()
        if (wantsIdNumberLayout()) {
            if (keyboard.layout !== ours) {
                keyboard.layout = ours
                keyboard.updateInputMethod()
            }
        } else if (keyboard.layout === ours) {
            keyboard.updateLayout()
        }
    }

    Connections {
        target: inputPanel.keyboard
        function onLayoutChanged() { root.applyLayout() }
    }
    Connections {
        target: InputContext
        function onInputMethodHintsChanged() { root.applyLayout() }
    }
}
