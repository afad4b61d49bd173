; main.scm: the chat. Channels on the left, the open channel in the middle, who is here on the right.
(window name main title (_ "Palaver") (on close sign-out)
  (hbox
    (vbox name side
      (label name me)
      (label text (_ "Channels"))
      (listbox name channels (on select open-channel))
      (button name new-channel text (_ "New channel") (on click open-new-channel))
      (button name register text (_ "Keep my name") (on click open-register))
      (button name alert text (_ "Send alert") (on click open-send-alert))   ; administrators only
      (button name sign-out text (_ "Sign out") (on click sign-out)))
    (vbox name talk
      (label name topic)
      (button name older text (_ "Older messages") (on click older))
      (listbox name messages max-items 100 (on activate delete-message))   ; one item per message
      (button name latest text (_ "Back to the latest") visible #f (on click latest))
      (textbox name message multiline #t max-length 4000 placeholder (_ "Message") (on submit say))
      (button name send text (_ "Send") (on click say)))
    (vbox name people
      (label text (_ "Here now"))
      (listbox name users))))
